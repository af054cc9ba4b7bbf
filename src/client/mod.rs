//! The Rust client behind both C APIs: a handle per client, its connection driven by the
//! engine, tokens, blocking waits that wake at the event (no polling), and callbacks handed
//! to the client's serial queue so that they never run under our lock.

pub mod dispatch;
pub mod mem;
mod ptrace;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, Read, Write};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crate::engine::{Driver, EngineRef, Ready};
use crate::net::{self, Endpoint, Scheme};
use crate::persist::{self, Kind, Store};
use crate::protocol::{self, Connect, LastWill, Properties, ProtocolVersion, Publish, QoS};
use crate::session::idmap::IdMap;
use crate::session::{
    ConnState, DurableChange, Event, RestoredPublish, Session, SessionConfig, SessionError,
};
use crate::trace;
use crate::vg::{Condvar, Mutex, MutexGuard};
use dispatch::SerialQueue;
use mem::{MallocBuf, MallocStr};

/// Version requested at connect: a fixed one, or Paho's DEFAULT (3.1.1, falling back to 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionChoice {
    /// 3.1.1 first, then 3.1 if that fails.
    Default,
    /// Exactly this version.
    Exact(ProtocolVersion),
}

/// Everything a connect needs, already checked and converted from C.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Protocol version.
    pub version: VersionChoice,
    /// Keep alive in seconds.
    pub keep_alive: u16,
    /// Clean session / clean start.
    pub clean: bool,
    /// The will, if any.
    pub will: Option<LastWill<'static>>,
    /// User name.
    pub username: Option<String>,
    /// Password (binary).
    pub password: Option<Vec<u8>>,
    /// How long the TCP connect plus CONNACK may take.
    pub connect_timeout: Duration,
    /// `connect_timeout` covers all the protocol versions tried on one URI together, as in
    /// Paho's sync client (MQTTVERSION_DEFAULT gives up after one timeout, without a 3.1
    /// attempt); otherwise, as in Paho's async client, each attempt has its own.
    pub timeout_per_uri: bool,
    /// Paho's maxInflightMessages (0: no limit of ours): a publish beyond it is refused.
    pub max_inflight: usize,
    /// Async API: beyond this many QoS>0 publishes on the wire the rest wait in order
    /// (Paho's async maxInflight); 0 = no window of ours.
    pub send_window: usize,
    /// Sync API: a QoS>0 publish beyond this many in flight waits for room instead
    /// (Paho's `reliable` = 1, or maxInflightMessages); 0 = no wait.
    pub publish_window: usize,
    /// URIs to try in order; empty means the one given at create.
    pub server_uris: Vec<String>,
    /// MQTT 5 CONNECT properties.
    pub properties: Properties<'static>,
    /// TLS settings for `ssl://` URIs (Paho's SSL options; defaults when the caller gave none).
    pub tls: Option<net::tls::TlsOptions>,
}

/// What a successful connect reports.
#[derive(Debug, Clone)]
pub struct Connected {
    /// The URI that worked.
    pub server_uri: String,
    /// The MQTT version in use (3, 4 or 5).
    pub version: i32,
    /// CONNACK session present.
    pub session_present: bool,
    /// CONNACK properties.
    pub properties: Properties<'static>,
}

/// Why an operation failed, in terms the C layer maps to Paho's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Generic failure (MQTTCLIENT_FAILURE).
    Failure(String),
    /// Not connected (MQTTCLIENT_DISCONNECTED).
    Disconnected,
    /// maxInflightMessages reached (MQTTCLIENT_MAX_MESSAGES_INFLIGHT).
    MaxInflight,
    /// Bad UTF-8 (MQTTCLIENT_BAD_UTF8_STRING).
    BadUtf8,
    /// Topic or other argument invalid (MQTTCLIENT_BAD_MQTT_OPTION / FAILURE).
    BadArgument(String),
    /// The server refused the connection with this CONNACK code / reason code.
    Refused {
        /// Raw code.
        code: u8,
        /// CONNACK properties.
        properties: Properties<'static>,
    },
    /// Timed out waiting.
    Timeout,
    /// The URI's scheme is not supported by this library (SSL_NOT_SUPPORTED).
    SslNotSupported,
    /// Unknown URI scheme (BAD_PROTOCOL).
    BadProtocol,
    /// All packet identifiers in use.
    NoMoreIds,
    /// The offline buffer is full (MQTTASYNC_MAX_BUFFERED_MESSAGES).
    BufferFull,
    /// The client is being destroyed.
    Destroyed,
    /// The persistent store failed (MQTTCLIENT_PERSISTENCE_ERROR).
    Persistence(String),
    /// A subscribe or unsubscribe was sent but the connection was lost before its
    /// acknowledgement (Paho: MQTTASYNC_OPERATION_INCOMPLETE; MQTTCLIENT_FAILURE in the sync
    /// API). It is not sent again after a reconnect.
    Incomplete,
}

/// A message as delivered to the application; payload already in malloc'd memory.
#[derive(Debug)]
pub struct Message {
    /// Topic name (alias resolved), ready to be handed to C.
    pub topic: MallocStr,
    /// Payload, malloc'd, handed to C as is.
    pub payload: MallocBuf,
    /// QoS.
    pub qos: u8,
    /// Retained flag.
    pub retained: bool,
    /// DUP flag.
    pub dup: bool,
    /// Packet id.
    pub msgid: u16,
    /// MQTT 5 properties.
    pub properties: Properties<'static>,
}

/// What the application's callbacks receive.
pub enum Notice {
    /// The connection dropped (not after our own disconnect).
    ConnectionLost {
        /// Why, for the trace.
        cause: String,
        /// The server had sent DISCONNECT (MQTT 5): Paho then calls `disconnected` only,
        /// not connectionLost.
        by_server: bool,
    },
    /// A message arrived.
    Message(Message),
    /// A QoS>0 message completed.
    DeliveryComplete(u16),
    /// MQTT 5: the final acknowledgement of a publish, with its reason code and properties.
    Published {
        /// Token.
        token: u16,
        /// Packet type of the acknowledgement (PUBACK=4, PUBREC=5, PUBCOMP=7).
        packet_type: u8,
        /// Reason code.
        reason: u8,
        /// Properties.
        properties: Properties<'static>,
    },
    /// An operation started with an op tag finished (async API tokens).
    OpDone {
        /// The tag given when the operation started.
        op: u64,
        /// The token (packet id; 0 for QoS 0 publishes).
        token: u16,
        /// How it ended.
        result: OpResult,
    },
    /// MQTT 5: the server sent DISCONNECT.
    Disconnected {
        /// Reason code.
        reason: u8,
        /// Properties.
        properties: Properties<'static>,
    },
}

/// How a tagged operation ended.
#[derive(Debug, Clone)]
pub enum OpResult {
    /// A publish completed (QoS 0: written; QoS 1: PUBACK; QoS 2: PUBCOMP).
    Published {
        /// Reason code of the final acknowledgement.
        reason: u8,
        /// Its properties.
        properties: Properties<'static>,
        /// QoS 1 and 2: the message as the session held it (QoS 0 keeps none).
        message: Option<Box<crate::session::Returned>>,
    },
    /// SUBACK or UNSUBACK arrived.
    Acked(AckResult),
    /// The operation cannot complete: the connection went away, the session was not
    /// kept, the client is being destroyed, or the buffer overflowed.
    Failed(Error),
}

/// Offline buffering of publishes (async API `sendWhileDisconnected`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineConfig {
    /// Buffer publishes while disconnected.
    pub enabled: bool,
    /// Most messages buffered (Paho's maxBufferedMessages); 0 = unlimited.
    pub max: usize,
    /// When full, drop the oldest instead of refusing the new one.
    pub delete_oldest: bool,
    /// Also buffer before the first connect has been attempted.
    pub before_first_connect: bool,
}

/// The application's callbacks.
pub trait Listener: Send + Sync {
    /// Handle one notice. For `Notice::Message`, returning `Some(message)` gives the message
    /// back for redelivery later (Paho's messageArrived returning 0).
    fn notify(&self, notice: Notice) -> Option<Message>;
    /// Whether a message listener is set (if not, messages queue for `receive`).
    fn wants_messages(&self) -> bool;
    /// Whether `notify` does anything with `Notice::DeliveryComplete`; if not, none is
    /// queued (a callback job per message saved).
    fn wants_delivery_complete(&self) -> bool {
        true
    }
    /// Whether `notify` does anything with `Notice::Published`; if not, none is queued.
    fn wants_published(&self) -> bool {
        true
    }
}

/// Result of a SUBSCRIBE or UNSUBSCRIBE.
#[derive(Debug, Clone)]
pub struct AckResult {
    /// Granted QoS / reason codes.
    pub codes: Vec<u8>,
    /// Properties.
    pub properties: Properties<'static>,
}

enum Transport {
    Tcp(mio::net::TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<net::tls::TlsStream>),
}

impl Transport {
    fn source(&mut self) -> &mut mio::net::TcpStream {
        match self {
            Transport::Tcp(s) => s,
            #[cfg(feature = "tls")]
            Transport::Tls(s) => net::tls::tcp(s),
        }
    }

    /// The socket's descriptor, for trace lines.
    fn fd(&self) -> i32 {
        use std::os::fd::AsRawFd;
        match self {
            Transport::Tcp(s) => s.as_raw_fd(),
            #[cfg(feature = "tls")]
            Transport::Tls(s) => s.get_ref().as_raw_fd(),
        }
    }

    /// Whether a read shorter than asked for means the socket is drained. True for TCP: the
    /// read took all that had arrived, and what arrives later (bytes, the end of the stream)
    /// raises a new readiness edge; an end already there when the event came is in the event
    /// (`Ready::closed`). Not for TLS, which may hold decrypted bytes back.
    fn short_read_drains(&self) -> bool {
        matches!(self, Transport::Tcp(_))
    }

    /// Acknowledge at once what we just read (see `ConnDriver::on_ready`).
    fn quick_ack(&self) {
        net::quick_ack(self.fd());
    }
}

impl Transport {
    /// Read into the `len` bytes at `ptr`, which need not be initialised: TCP reads straight
    /// into them (no zero-fill of a large payload's buffer first); TLS, which wants a slice,
    /// gets up to one read's worth zeroed first.
    ///
    /// # Safety
    /// `ptr` is valid for writes of `len` bytes.
    unsafe fn read_raw(&mut self, ptr: *mut u8, len: usize) -> io::Result<usize> {
        let r = match self {
            Transport::Tcp(s) => {
                use std::os::fd::AsRawFd;
                // SAFETY: the caller's buffer; recv writes at most len bytes to it.
                let n = unsafe { libc::recv(s.as_raw_fd(), ptr as *mut libc::c_void, len, 0) };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            }
            #[cfg(feature = "tls")]
            Transport::Tls(s) => {
                let len = len.min(READ_CHUNK);
                // SAFETY: the caller's buffer, initialised here before the slice is made.
                let buf = unsafe {
                    std::ptr::write_bytes(ptr, 0, len);
                    std::slice::from_raw_parts_mut(ptr, len)
                };
                net::tls::read(s, buf)
            }
        };
        ptrace::io(self.fd(), "read", None, &r);
        r
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = match self {
            Transport::Tcp(s) => s.read(buf),
            #[cfg(feature = "tls")]
            Transport::Tls(s) => net::tls::read(s, buf),
        };
        ptrace::io(self.fd(), "read", None, &r);
        r
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = match self {
            Transport::Tcp(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Transport::Tls(s) => net::tls::write(s, buf),
        };
        ptrace::io(self.fd(), "write", Some(buf.len()), &r);
        r
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let total = bufs.iter().map(|b| b.len()).sum();
        let r = match self {
            Transport::Tcp(s) => s.write_vectored(bufs),
            #[cfg(feature = "tls")]
            Transport::Tls(s) => match bufs.iter().find(|b| !b.is_empty()) {
                // One TLS record at a time, as OpenSSL writes them.
                Some(b) => net::tls::write(s, b),
                None => Ok(0),
            },
        };
        ptrace::io(self.fd(), "write", Some(total), &r);
        r
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Conn {
    transport: Transport,
    token: usize,
    /// The start of a packet not yet complete (see `SCRATCH`).
    read_buf: Vec<u8>,
    /// A large PUBLISH coming in, when its headers have been read (see [`LargeIn`]; boxed:
    /// rare, and every connection of thousands carries the field).
    large: Option<Box<LargeIn>>,
    /// Bytes written on this connection so far.
    sent: u64,
}

#[derive(Debug, Clone)]
enum ConnectOutcome {
    Pending,
    Accepted {
        session_present: bool,
        properties: Properties<'static>,
    },
    Refused {
        code: u8,
        properties: Properties<'static>,
    },
    Failed(String),
}

struct State {
    session: Session,
    conn: Option<Conn>,
    generation: u64,
    connect: ConnectOutcome,
    /// The connection was up (CONNACK accepted) and has not been closed by us.
    connected: bool,
    /// Results of subscribe/unsubscribe waiting to be collected.
    acks: HashMap<u16, Result<AckResult, Error>>,
    /// Tags of tagged operations in flight, by packet id, with the publish QoS (0 for
    /// subscribe/unsubscribe).
    ops: IdMap<u16, (Option<u64>, u8)>,
    /// Publishes buffered while disconnected, in order.
    offline: VecDeque<Buffered>,
    /// The persistent store, if the client has one.
    store: Option<Box<dyn Store>>,
    /// The store's entries have been read back into the session (or there is no store).
    restored: bool,
    /// Sequence number of the next stored message (keeps their order across id reuse).
    store_seq: u64,
    /// Buffered QoS 0 messages are stored too (async createOptions persistQoS0).
    persist_qos0: bool,
    /// Most messages held (in flight plus buffered) since memory was last given back.
    high_water: usize,
    offline_cfg: OfflineConfig,
    /// A connect has been attempted at least once.
    ever_connected: bool,
    /// See [`Client::set_wants_connection`].
    wants_connection: bool,
    /// Threads blocked in [`Client::wait`].
    waiters: usize,
    /// Publishes are written by the engine thread, batched, instead of by the caller.
    deferred_writes: bool,
    /// A flush has been asked of the engine and not done yet.
    flush_scheduled: bool,
    /// Tags of QoS 0 publishes to report done once the output is written (deferred writes).
    written_ops: Vec<u64>,
    /// Bytes at the start of the session's pending output already in the protocol trace.
    traced: usize,
    /// The client id, for trace lines written where only the state is at hand.
    trace_id: String,
    /// See [`ConnectOptions::publish_window`].
    publish_window: usize,
    /// The server sent DISCONNECT on the current connection.
    server_disconnected: bool,
    /// The current or last connection started clean: an explicit disconnect then discards
    /// the session, as Paho does.
    clean: bool,
    /// Tokens whose waiter must learn the connection went away.
    failed_tokens: HashSet<u16>,
    /// Messages for `receive` when no message callback is set.
    inbox: VecDeque<Message>,
    listener: Option<Arc<dyn Listener>>,
    destroyed: bool,
    /// Counts connection losses, so that waiters can tell one happened.
    losses: u64,
}

/// A publish buffered while disconnected.
struct Buffered {
    msg: Publish<'static>,
    /// Tag of the operation (async token callbacks).
    op: Option<u64>,
    /// Reserved packet id (0 for QoS 0).
    id: u16,
    /// Its entry in the store, if stored.
    key: Option<String>,
}

struct Inner {
    server_uri: String,
    client_id: String,
    st: Mutex<State>,
    cond: Condvar,
    engine: EngineRef,
    queue: SerialQueue<ClientJob>,
    me: Weak<Inner>,
}

/// A client handle. Cloning shares the client.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

const READ_CHUNK: usize = 64 * 1024;

/// A PUBLISH at least this large is read as a [`LargeIn`].
const LARGE_IN: usize = 256 * 1024;

/// A large PUBLISH read the way Paho's users get it: its payload goes straight from the socket
/// into the malloc'd buffer that the application receives (and frees), with no copy and no
/// second buffer of the message's size; the headers are decoded on their own when the
/// payload is complete.
struct LargeIn {
    /// The packet as if its payload were empty: the header byte, the remaining length of
    /// the variable header alone, and the variable header (topic, id, properties).
    head: Vec<u8>,
    /// The payload; `filled` bytes of it have arrived (the rest is not initialised).
    payload: MallocBuf,
    filled: usize,
}

impl LargeIn {
    /// When `buf` starts with the first part of a PUBLISH of at least [`LARGE_IN`] bytes
    /// whose variable header is all there, set up the rest of it to be read as a `LargeIn`.
    /// Anything else (short, malformed, headers incomplete) is left to the decoder.
    fn start(buf: &[u8], v5: bool) -> Option<LargeIn> {
        let (head, start, len) = protocol::split_publish(buf, v5)?;
        if start + len < LARGE_IN {
            return None;
        }
        let have = &buf[start..];
        // SAFETY: `len` is nonzero (the packet is large); its first bytes are written just
        // below, the others by the reads of `read_and_handle`, and the buffer is handed on
        // only once `filled` reaches its length.
        let mut payload = unsafe { MallocBuf::uninit(len) };
        // SAFETY: `have` is shorter than the payload (the packet is not complete yet).
        unsafe { std::ptr::copy_nonoverlapping(have.as_ptr(), payload.as_mut_ptr(), have.len()) };
        Some(LargeIn {
            head,
            payload,
            filled: have.len(),
        })
    }
}

/// Messages held at once (in flight plus buffered) from which their passing counts as a
/// burst whose memory is given back to the system afterwards.
pub(crate) const BURST: usize = 256;

impl Client {
    /// Create a client for `server_uri` with `client_id`. Checks the URI scheme.
    pub fn new(server_uri: &str, client_id: &str) -> Result<Client, Error> {
        let engine = EngineRef::acquire().map_err(|e| Error::Failure(e.to_string()))?;
        let inner = Arc::new_cyclic(|me| Inner {
            server_uri: server_uri.to_string(),
            client_id: client_id.to_string(),
            st: Mutex::new(State {
                session: Session::new(SessionConfig::default()),
                conn: None,
                generation: 0,
                connect: ConnectOutcome::Pending,
                connected: false,
                acks: HashMap::new(),
                ops: IdMap::default(),
                offline: VecDeque::new(),
                store: None,
                restored: true,
                store_seq: 1,
                persist_qos0: true,
                high_water: 0,
                offline_cfg: OfflineConfig::default(),
                ever_connected: false,
                wants_connection: false,
                waiters: 0,
                deferred_writes: false,
                flush_scheduled: false,
                written_ops: Vec::new(),
                traced: 0,
                trace_id: client_id.to_string(),
                publish_window: 0,
                server_disconnected: false,
                clean: true,
                failed_tokens: HashSet::new(),
                inbox: VecDeque::new(),
                listener: None,
                destroyed: false,
                losses: 0,
            }),
            cond: Condvar::new(),
            engine,
            queue: SerialQueue::new(),
            me: me.clone(),
        });
        crate::trace!(Minimum, "{client_id}: client created for {server_uri}");
        Ok(Client { inner })
    }

    /// The client id given at create.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The URI given at create.
    pub fn server_uri(&self) -> &str {
        &self.inner.server_uri
    }

    /// Wait on the client's condition variable (at most `timeout`), counted in
    /// `State::waiters` so that the engine skips the wake-up when nobody waits.
    fn wait<'a>(
        &self,
        mut st: MutexGuard<'a, State>,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, State> {
        st.waiters += 1;
        let mut st = match timeout {
            Some(t) => {
                self.inner
                    .cond
                    .wait_timeout(st, t)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => self.inner.cond.wait(st).unwrap_or_else(|e| e.into_inner()),
        };
        st.waiters -= 1;
        st
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.st.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Install the callbacks (or remove them with `None`).
    pub fn set_listener(&self, listener: Option<Arc<dyn Listener>>) {
        self.lock().listener = listener;
    }

    /// Whether the connection is up.
    pub fn is_connected(&self) -> bool {
        let st = self.lock();
        st.connected && st.conn.is_some()
    }

    /// The protocol version of the current or last connection.
    pub fn version(&self) -> ProtocolVersion {
        self.lock().session.version()
    }

    /// The protocol version of the connection if it is up (one lock for both questions).
    pub fn connected_version(&self) -> Option<ProtocolVersion> {
        let st = self.lock();
        (st.connected && st.conn.is_some()).then(|| st.session.version())
    }

    /// Connect, trying each server URI in turn; blocks until CONNACK, failure or timeout.
    pub fn connect(&self, opts: &ConnectOptions) -> Result<Connected, Error> {
        {
            let mut st = self.lock();
            if st.destroyed {
                return Err(Error::Destroyed);
            }
            restore_locked(&mut st)?;
        }
        let uris: Vec<String> = if opts.server_uris.is_empty() {
            vec![self.inner.server_uri.clone()]
        } else {
            opts.server_uris.clone()
        };
        let mut last = Error::Failure("no server URI".into());
        for uri in &uris {
            let versions: &[ProtocolVersion] = match opts.version {
                VersionChoice::Default => &[ProtocolVersion::V311, ProtocolVersion::V31],
                VersionChoice::Exact(ProtocolVersion::V31) => &[ProtocolVersion::V31],
                VersionChoice::Exact(ProtocolVersion::V311) => &[ProtocolVersion::V311],
                VersionChoice::Exact(ProtocolVersion::V5) => &[ProtocolVersion::V5],
            };
            let uri_deadline = Instant::now() + opts.connect_timeout;
            for (i, &v) in versions.iter().enumerate() {
                let deadline = if opts.timeout_per_uri {
                    uri_deadline
                } else {
                    Instant::now() + opts.connect_timeout
                };
                if i > 0 && Instant::now() >= deadline {
                    break;
                }
                match self.connect_one(uri, v, opts, deadline) {
                    Ok(c) => return Ok(c),
                    Err(e) => {
                        trace::error(&format!(
                            "{}: connect to {} with MQTT level {} failed: {:?}",
                            self.inner.client_id, uri, v as u8, e
                        ));
                        last = e;
                        if matches!(last, Error::Destroyed) {
                            return Err(last);
                        }
                    }
                }
            }
        }
        Err(last)
    }

    fn connect_one(
        &self,
        uri: &str,
        version: ProtocolVersion,
        opts: &ConnectOptions,
        deadline: Instant,
    ) -> Result<Connected, Error> {
        let ep: Endpoint = net::parse_uri(uri).map_err(|e| match e {
            net::UriError::BadProtocol => Error::BadProtocol,
            net::UriError::Malformed => Error::Failure(format!("malformed URI {uri}")),
        })?;
        match ep.scheme {
            Scheme::Tcp => {}
            #[cfg(feature = "tls")]
            Scheme::Ssl => {}
            #[cfg(not(feature = "tls"))]
            Scheme::Ssl => return Err(Error::SslNotSupported),
            Scheme::Wss => return Err(Error::SslNotSupported),
            Scheme::Ws | Scheme::Unix => {
                return Err(Error::Failure(format!(
                    "{uri}: transport not supported yet"
                )))
            }
        }
        // Drop any previous connection first.
        self.close_connection(false);
        crate::trace!(
            Minimum,
            "{}: connecting to {} with MQTT version {} (connect timeout {} ms)",
            self.inner.client_id,
            uri,
            version as u8,
            opts.connect_timeout.as_millis()
        );
        let stream = net::connect_tcp(&ep, deadline).map_err(|e| {
            Error::Failure(format!(
                "TCP connect to {}:{} failed: {e}",
                ep.host, ep.port
            ))
        })?;
        ptrace::tcp_connected(&self.inner.client_id, &stream, &ep);
        let stream = mio::net::TcpStream::from_std(stream);
        let mut transport = match ep.scheme {
            #[cfg(feature = "tls")]
            Scheme::Ssl => {
                let defaults = net::tls::TlsOptions {
                    server_cert_auth: true,
                    ..Default::default()
                };
                let tls = opts.tls.as_ref().unwrap_or(&defaults);
                // The handshake completes before the engine sees the socket, so no MQTT
                // byte can go out unencrypted.
                let s =
                    net::tls::handshake(stream, &ep.host, tls, deadline).map_err(Error::Failure)?;
                Transport::Tls(Box::new(s))
            }
            _ => Transport::Tcp(stream),
        };
        let token = self.inner.engine.new_token();
        self.inner
            .engine
            .registry()
            .register(
                transport.source(),
                mio::Token(token),
                mio::Interest::READABLE | mio::Interest::WRITABLE,
            )
            .map_err(|e| Error::Failure(format!("register: {e}")))?;
        let packet = Connect {
            version,
            client_id: Cow::Borrowed(&self.inner.client_id),
            clean_start: opts.clean,
            keep_alive: opts.keep_alive,
            username: opts.username.as_deref().map(Cow::Borrowed),
            password: opts.password.as_deref().map(Cow::Borrowed),
            will: opts.will.clone(),
            properties: if version == ProtocolVersion::V5 {
                opts.properties.clone()
            } else {
                Properties::default()
            },
        };
        let generation;
        {
            let mut st = self.lock();
            if st.destroyed {
                return Err(Error::Destroyed);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            // The session itself drops its state on a clean start and keeps ids reserved
            // for buffered messages; only a switch of protocol with state kept needs a new one.
            if !opts.clean && st.session.version() != version && st.offline.is_empty() {
                fresh_session(&mut st);
            }
            st.session.set_max_inflight(opts.max_inflight);
            st.session.set_send_window(opts.send_window);
            st.session
                .connect(packet, left, Instant::now())
                .map_err(|e| Error::Failure(format!("CONNECT: {e:?}")))?;
            apply_journal(&mut st);
            st.generation += 1;
            generation = st.generation;
            st.connect = ConnectOutcome::Pending;
            st.connected = false;
            st.clean = opts.clean;
            st.publish_window = opts.publish_window;
            st.conn = Some(Conn {
                transport,
                token,
                read_buf: Vec::new(),
                large: None,
                sent: 0,
            });
        }
        let driver: Arc<dyn Driver> = Arc::new(ConnDriver {
            inner: self.inner.me.clone(),
            generation,
        });
        self.inner.engine.add(token, driver, Some(deadline));
        // Wait for the outcome.
        let mut st = self.lock();
        loop {
            if st.generation != generation {
                return Err(Error::Failure("connect superseded".into()));
            }
            match &st.connect {
                ConnectOutcome::Pending => {}
                ConnectOutcome::Accepted {
                    session_present,
                    properties,
                } => {
                    return Ok(Connected {
                        server_uri: uri.to_string(),
                        version: version as i32,
                        session_present: *session_present,
                        properties: properties.clone(),
                    });
                }
                ConnectOutcome::Refused { code, properties } => {
                    let e = Error::Refused {
                        code: *code,
                        properties: properties.clone(),
                    };
                    drop(st);
                    self.close_connection(false);
                    return Err(e);
                }
                ConnectOutcome::Failed(why) => {
                    let e = Error::Failure(why.clone());
                    drop(st);
                    self.close_connection(false);
                    return Err(e);
                }
            }
            if st.destroyed {
                return Err(Error::Destroyed);
            }
            let now = Instant::now();
            if now >= deadline {
                drop(st);
                self.close_connection(false);
                return Err(Error::Timeout);
            }
            st = self.wait(st, Some(deadline - now));
        }
    }

    /// Close the transport without telling the application (our own disconnect, or a
    /// failed connect attempt). In-flight state stays in the session.
    fn close_connection(&self, _graceful: bool) {
        let mut st = self.lock();
        if let Some(mut conn) = st.conn.take() {
            crate::trace!(
                Minimum,
                "{}: socket {} closed",
                self.inner.client_id,
                conn.transport.fd()
            );
            let _ = self
                .inner
                .engine
                .registry()
                .deregister(conn.transport.source());
            self.inner.engine.remove(conn.token);
            let failed = st.session.connection_lost(Instant::now());
            fail_tokens(self, &mut st, failed, Error::Incomplete);
        }
        st.connected = false;
        drop(st);
        self.inner.cond.notify_all();
    }

    /// Give the client a persistent store. With `restore`, its messages are read back at the
    /// first [`Client::restore`] (or the first connect, publish or pending-token query);
    /// without, it is emptied now (async createOptions restoreMessages = 0).
    pub fn set_store(
        &self,
        mut store: Box<dyn Store>,
        restore: bool,
        persist_qos0: bool,
    ) -> Result<(), Error> {
        let mut st = self.lock();
        if !restore {
            store
                .clear()
                .map_err(|e| persistence_error(&st, format!("clearing the store: {e}")))?;
        }
        st.store = Some(store);
        st.restored = !restore;
        st.persist_qos0 = persist_qos0;
        st.session.set_journal(true);
        Ok(())
    }

    /// Read the store's messages back (once): unacknowledged publishes go again after a
    /// connect that keeps the session, buffered ones after any connect. A damaged entry is
    /// skipped with a trace line; a store that cannot be listed is an error.
    pub fn restore(&self) -> Result<(), Error> {
        let mut st = self.lock();
        restore_locked(&mut st)
    }

    /// Close the store (at destroy): Paho closes it then.
    fn close_store(&self) {
        let mut st = self.lock();
        if let Some(mut store) = st.store.take() {
            if let Err(e) = store.close() {
                trace::error(&format!("{}: persistence: close: {e}", st.trace_id));
            }
        }
    }

    /// Set how publishes are buffered while disconnected.
    pub fn set_offline(&self, cfg: OfflineConfig) {
        self.lock().offline_cfg = cfg;
    }

    /// Whether the application wants to be connected (async: between connect and an
    /// explicit disconnect); publishes are buffered offline only then, unless
    /// `before_first_connect` allows it at any time.
    pub fn set_wants_connection(&self, wants: bool) {
        self.lock().wants_connection = wants;
    }

    /// Async API: let the engine thread write publishes, so that a burst of sends leaves
    /// in few writes (the caller's thread only appends and, once, wakes the engine).
    pub fn set_deferred_writes(&self, on: bool) {
        self.lock().deferred_writes = on;
    }

    /// Sync API: after a connect that kept the session (cleansession 0) but found none at
    /// the server, send the unacknowledged messages again, as Paho's synchronous client
    /// does (its asynchronous client discards them, and so does ours by default).
    pub fn set_resend_without_session(&self, on: bool) {
        self.lock().session.set_resend_without_session(on);
    }

    /// Publishes buffered while disconnected.
    pub fn offline_len(&self) -> usize {
        self.lock().offline.len()
    }

    /// Publish; returns the packet id (0 for QoS 0). With `op`, the outcome is also reported
    /// as `Notice::OpDone` to the listener. While disconnected the message is buffered if the
    /// offline configuration allows, else refused with `Error::Disconnected`.
    pub fn publish(&self, msg: Publish<'_>, op: Option<u64>) -> Result<u16, Error> {
        let mut st = self.lock();
        if st.destroyed {
            return Err(Error::Destroyed);
        }
        restore_locked(&mut st)?;
        if !st.connected || st.conn.is_none() {
            let cfg = st.offline_cfg;
            if !cfg.enabled || !(cfg.before_first_connect || st.wants_connection) {
                return Err(Error::Disconnected);
            }
            if st.session.version() == ProtocolVersion::V5 || !msg.topic.is_empty() {
                protocol::validate_topic_name(&msg.topic)
                    .map_err(|e| Error::BadArgument(e.to_string()))?;
            }
            if cfg.max > 0 && st.offline.len() >= cfg.max {
                if !cfg.delete_oldest {
                    return Err(Error::BufferFull);
                }
                // The oldest goes, silently, as with Paho (no onFailure for it).
                if let Some(old) = st.offline.pop_front() {
                    if old.id != 0 {
                        st.session.release_reserved(old.id);
                    }
                    unstore(&mut st, old.key.as_deref());
                }
            }
            let id = if msg.qos == QoS::AtMostOnce {
                0
            } else {
                st.session.reserve_id().map_err(session_err)?
            };
            let mut msg = msg.into_owned();
            msg.packet_id = id;
            let key = match store_buffered(&mut st, &msg) {
                Ok(key) => key,
                Err(e) => {
                    if id != 0 {
                        st.session.release_reserved(id);
                    }
                    return Err(e);
                }
            };
            crate::trace!(
                Minimum,
                "{}: not connected: message to {} (msgid {id}) buffered, {} now",
                self.inner.client_id,
                msg.topic,
                st.offline.len() + 1
            );
            st.offline.push_back(Buffered { msg, op, id, key });
            return Ok(id);
        }
        // Paho's synchronous publish waits while the window of messages in flight is full.
        while msg.qos != QoS::AtMostOnce
            && st.publish_window > 0
            && st.session.inflight_count() >= st.publish_window
        {
            if !st.connected || st.conn.is_none() || st.destroyed {
                return Err(Error::Failure(
                    "the connection ended while waiting for room in the publish window".into(),
                ));
            }
            st = self.wait(st, None);
        }
        self.publish_locked(&mut st, msg, op, 0)
    }

    fn publish_locked(
        &self,
        st: &mut State,
        msg: Publish<'_>,
        op: Option<u64>,
        reserved: u16,
    ) -> Result<u16, Error> {
        let qos = msg.qos as u8;
        // The protocol trace reads the output as whole packets.
        st.session
            .set_large_by_reference(!trace::enabled(trace::Level::Protocol));
        let shown = trace::enabled(trace::Level::Minimum)
            .then(|| format!("{} qos {qos} ({} bytes)", msg.topic, msg.payload.len()));
        let id = if st.store.is_some() && msg.qos != QoS::AtMostOnce {
            publish_stored(st, msg, reserved)?
        } else if reserved != 0 {
            st.session
                .publish_reserved(msg, reserved, Instant::now())
                .map_err(session_err)?
        } else {
            st.session
                .publish(msg, Instant::now())
                .map_err(session_err)?
        };
        if let Some(shown) = shown {
            trace::minimum(&format!(
                "{}: publishing to {shown}, msgid {id}",
                self.inner.client_id
            ));
        }
        if id != 0 {
            st.ops.insert(id, (op, qos));
        }
        self.flush_soon(st);
        if let (Some(op), 0) = (op, id) {
            if st.deferred_writes {
                // Reported by the engine once written, with the others of the same burst.
                st.written_ops.push(op);
            } else if let Some(l) = st.listener.clone() {
                self.post(
                    l,
                    Notice::OpDone {
                        op,
                        token: 0,
                        result: OpResult::Published {
                            reason: 0,
                            properties: Properties::default(),
                            message: None,
                        },
                    },
                );
            }
        }
        Ok(id)
    }

    /// Send SUBSCRIBE without waiting; returns its packet id. The SUBACK is reported as
    /// `Notice::OpDone` when `op` is given, else kept for [`Client::wait_ack`].
    pub fn start_subscribe(
        &self,
        filters: Vec<(String, protocol::SubscriptionOptions)>,
        properties: Properties<'_>,
        op: Option<u64>,
    ) -> Result<u16, Error> {
        ptrace::subscribing(&self.inner.client_id, &filters);
        self.start_request(op, |s| s.subscribe(filters, properties, Instant::now()))
    }

    /// Send UNSUBSCRIBE without waiting; see [`Client::start_subscribe`].
    pub fn start_unsubscribe(
        &self,
        filters: Vec<String>,
        properties: Properties<'_>,
        op: Option<u64>,
    ) -> Result<u16, Error> {
        crate::trace!(
            Minimum,
            "{}: unsubscribing from {}",
            self.inner.client_id,
            filters.join(", ")
        );
        self.start_request(op, |s| s.unsubscribe(filters, properties, Instant::now()))
    }

    /// Queue a SUBSCRIBE or UNSUBSCRIBE built by `make`, remember its tag, write it.
    fn start_request(
        &self,
        op: Option<u64>,
        make: impl FnOnce(&mut Session) -> Result<u16, SessionError>,
    ) -> Result<u16, Error> {
        let mut st = self.lock();
        if !st.connected || st.conn.is_none() {
            return Err(Error::Disconnected);
        }
        let id = make(&mut st.session).map_err(session_err)?;
        if let Some(op) = op {
            st.ops.insert(id, (Some(op), 0));
        }
        self.flush_locked(&mut st);
        Ok(id)
    }

    /// Subscribe and wait for the SUBACK (up to `timeout`).
    pub fn subscribe(
        &self,
        filters: Vec<(String, protocol::SubscriptionOptions)>,
        properties: Properties<'_>,
        timeout: Duration,
    ) -> Result<AckResult, Error> {
        let id = self.start_subscribe(filters, properties, None)?;
        self.wait_ack(id, timeout)
    }

    /// Unsubscribe and wait for the UNSUBACK (up to `timeout`).
    pub fn unsubscribe(
        &self,
        filters: Vec<String>,
        properties: Properties<'_>,
        timeout: Duration,
    ) -> Result<AckResult, Error> {
        let id = self.start_unsubscribe(filters, properties, None)?;
        self.wait_ack(id, timeout)
    }

    fn wait_ack(&self, id: u16, timeout: Duration) -> Result<AckResult, Error> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if let Some(r) = st.acks.remove(&id) {
                return r;
            }
            if st.destroyed {
                return Err(Error::Destroyed);
            }
            if st.failed_tokens.remove(&id) {
                return Err(Error::Incomplete);
            }
            let now = Instant::now();
            if now >= deadline {
                // No acknowledgement in time: the server is not answering, and Paho drops
                // the connection then too.
                self.lose(
                    &mut st,
                    "no SUBACK/UNSUBACK within the command timeout".into(),
                );
                return Err(Error::Timeout);
            }
            st = self.wait(st, Some(deadline - now));
        }
    }

    /// Wait until publish `token` completes. Ok when it completed (or is unknown, i.e.
    /// already complete), `Err(Disconnected)` if the connection went away first,
    /// `Err(Timeout)` after `timeout`.
    pub fn wait_for_completion(&self, token: u16, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if !st.connected {
                return Err(Error::Disconnected);
            }
            if token == 0 || !st.session.pending_publish_ids().contains(&token) {
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Timeout);
            }
            st = self.wait(st, Some(deadline - now));
        }
    }

    /// Run `job` on this client's callback queue, after the callbacks already queued (async
    /// API: onSuccess/onFailure of connect and disconnect keep their order with the rest).
    pub fn post_job(&self, job: Box<dyn FnOnce() + Send>) {
        self.inner.queue.post(ClientJob::Run(job));
    }

    /// Whether `token` names something not yet finished: a publish in flight or buffered
    /// offline, or a subscribe/unsubscribe awaiting its acknowledgement.
    pub fn token_pending(&self, token: u16) -> bool {
        let st = self.lock();
        token_pending_locked(&st, token)
    }

    /// Wait until `token` is no longer pending (async waitForCompletion). `Err(Timeout)`
    /// after `timeout`; `Err(Disconnected)` when not connected and nothing can complete it.
    pub fn wait_token(&self, token: u16, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            let offline = st.offline.iter().any(|b| b.id == token);
            if !st.connected && !offline {
                return Err(Error::Disconnected);
            }
            if !token_pending_locked(&st, token) {
                return Ok(());
            }
            if st.destroyed {
                return Err(Error::Destroyed);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Timeout);
            }
            st = self.wait(st, Some(deadline - now));
        }
    }

    /// Tokens of publishes not yet complete.
    pub fn pending_tokens(&self) -> Vec<u16> {
        let mut st = self.lock();
        if let Err(e) = restore_locked(&mut st) {
            trace::error(&format!("{}: {e:?}", st.trace_id));
        }
        let mut v = st.session.pending_publish_ids();
        // Buffered QoS 0 messages count too, with token 0, as Paho lists them.
        v.extend(st.offline.iter().map(|b| b.id));
        v
    }

    /// Wait up to `timeout` for a message when no message callback is set.
    pub fn receive(&self, timeout: Duration) -> Result<Option<Message>, Error> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if let Some(m) = st.inbox.pop_front() {
                return Ok(Some(m));
            }
            if st.destroyed {
                return Err(Error::Destroyed);
            }
            if !st.connected {
                return Err(Error::Disconnected);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            st = self.wait(st, Some(deadline - now));
        }
    }

    /// Disconnect: wait up to `timeout` for in-flight publishes to complete, then send
    /// DISCONNECT and close the transport. No connectionLost callback.
    pub fn disconnect(
        &self,
        timeout: Duration,
        reason: u8,
        properties: Properties<'_>,
    ) -> Result<(), Error> {
        crate::trace!(
            Minimum,
            "{}: disconnecting (up to {} ms for messages in flight)",
            self.inner.client_id,
            timeout.as_millis()
        );
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        if !st.connected || st.conn.is_none() {
            let had_conn = st.conn.is_some();
            drop(st);
            if had_conn {
                self.close_connection(false);
            }
            // Paho reports success for a disconnect while not connected.
            return Ok(());
        }
        // Let in-flight QoS>0 publishes finish, within the timeout.
        while !st.session.pending_publish_ids().is_empty() && st.connected {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            st = self.wait(st, Some(deadline - now));
        }
        st.connected = false;
        if st.conn.is_some() {
            st.session.disconnect(reason, properties, Instant::now());
            // Best effort: write what is pending directly; the socket is usually writable.
            self.flush_locked(&mut st);
        }
        drop(st);
        self.close_connection(true);
        let mut st = self.lock();
        // Paho forgets the session at the disconnect of an MQTT 3 clean session; with MQTT 5
        // the Session Expiry Interval, not clean start, says whether the server keeps it,
        // and Paho keeps its side (and its store) either way.
        let v5 = st.session.version() == ProtocolVersion::V5;
        if st.clean && !v5 && st.offline.is_empty() {
            fresh_session(&mut st);
            st.ops.clear();
            // Paho empties the store at a disconnect of a clean session.
            if let Some(store) = st.store.as_mut() {
                if let Err(e) = store.clear() {
                    trace::error(&format!(
                        "{}: persistence: clearing the store failed: {e}",
                        self.inner.client_id
                    ));
                }
            }
        }
        Ok(())
    }

    /// Destroy: close the transport, drop queued callbacks, wait for a running one (unless
    /// called from it). No callback runs after this returns.
    pub fn destroy(&self) {
        {
            let mut st = self.lock();
            st.destroyed = true;
            st.listener = None;
        }
        self.close_connection(false);
        self.inner.queue.close();
        self.close_store();
        self.inner.cond.notify_all();
        crate::trace!(Minimum, "{}: client destroyed", self.inner.client_id);
    }

    /// Write now, or with deferred writes have the engine write (one wake-up per burst).
    fn flush_soon(&self, st: &mut State) {
        // A large message is written by the caller's thread: the copy into the kernel is
        // then made beside the loop's reads, not after them on the one loop thread (on two
        // cores, 1 MiB messages went 30% faster).
        if !st.deferred_writes || st.session.has_holes() {
            return self.flush_locked(st);
        }
        if st.flush_scheduled {
            return;
        }
        if let Some(conn) = st.conn.as_ref() {
            st.flush_scheduled = true;
            self.inner.engine.flush(conn.token);
        }
    }

    fn flush_locked(&self, st: &mut State) {
        let now = Instant::now();
        let r = pump_write(st, now);
        // An answer to what we wrote is read at once, not after a coalescing pause.
        self.inner.engine.nudge();
        if let Err(e) = r {
            let why = format!("write failed: {e}");
            self.lose(st, why);
        }
    }

    /// The transport failed: tell the session, the waiters and the application.
    fn lose(&self, st: &mut State, why: String) {
        let Some(mut conn) = st.conn.take() else {
            return;
        };
        let _ = self
            .inner
            .engine
            .registry()
            .deregister(conn.transport.source());
        self.inner.engine.remove(conn.token);
        let was_connected = st.connected;
        st.connected = false;
        st.losses += 1;
        let failed = st.session.connection_lost(Instant::now());
        fail_tokens(self, st, failed, Error::Incomplete);
        // After our own DISCONNECT (or a refused CONNECT) the server closing is no error.
        let expected = !was_connected && !matches!(st.connect, ConnectOutcome::Pending);
        if matches!(st.connect, ConnectOutcome::Pending) {
            st.connect = ConnectOutcome::Failed(why.clone());
        }
        if expected {
            crate::trace!(
                Minimum,
                "{}: connection closed: {why}",
                self.inner.client_id
            );
        } else {
            trace::error(&format!(
                "{}: connection lost: {}",
                self.inner.client_id, why
            ));
        }
        let by_server = std::mem::take(&mut st.server_disconnected);
        if was_connected {
            if let Some(l) = st.listener.clone() {
                self.post(
                    l,
                    Notice::ConnectionLost {
                        cause: why,
                        by_server,
                    },
                );
            }
        }
        self.inner.cond.notify_all();
    }

    fn post(&self, listener: Arc<dyn Listener>, notice: Notice) {
        // Only a message can be given back for redelivery, which needs the client.
        let me = self.inner.me.clone();
        self.inner
            .queue
            .post(ClientJob::Notice(me, listener, notice));
    }
}

/// A job of a client's callback queue: a notice for the listener (held inline, no
/// allocation per callback) or any other closure.
enum ClientJob {
    Notice(Weak<Inner>, Arc<dyn Listener>, Notice),
    Run(dispatch::Job),
}

impl dispatch::Task for ClientJob {
    fn run(self) {
        match self {
            ClientJob::Notice(me, listener, notice) => deliver(me, listener, notice),
            ClientJob::Run(f) => f(),
        }
    }
}

fn deliver(me: Weak<Inner>, listener: Arc<dyn Listener>, notice: Notice) {
    let traced = ptrace::callback_starts(&notice, || {
        me.upgrade().map_or(String::new(), |i| i.client_id.clone())
    });
    let back = listener.notify(notice);
    ptrace::callback_returned(traced);
    if let Some(back) = back {
        // The application asked for the message again later: put it back at the head of the
        // queue after giving other threads a moment, so redelivery does not spin.
        if let Some(inner) = me.upgrade() {
            std::thread::sleep(Duration::from_millis(10));
            inner
                .queue
                .post_front(ClientJob::Notice(me, listener, Notice::Message(back)));
        }
    }
}

/// Operations that can no longer complete: wake their waiters and, for tagged ones, tell the
/// listener.
fn fail_tokens(client: &Client, st: &mut State, ids: Vec<u16>, why: Error) {
    for id in ids {
        st.failed_tokens.insert(id);
        if let Some((Some(op), _)) = crate::session::idmap::remove_and_release(&mut st.ops, &id) {
            if let Some(l) = st.listener.clone() {
                client.post(
                    l,
                    Notice::OpDone {
                        op,
                        token: id,
                        result: OpResult::Failed(why.clone()),
                    },
                );
            }
        }
    }
}

fn token_pending_locked(st: &State, token: u16) -> bool {
    token != 0
        && (st.ops.contains_key(&token)
            || st.offline.iter().any(|b| b.id == token)
            || st.session.pending_publish_ids().contains(&token))
}

fn session_err(e: SessionError) -> Error {
    match e {
        SessionError::NotConnected => Error::Disconnected,
        SessionError::TooManyInflight => Error::MaxInflight,
        SessionError::NoPacketIdAvailable => Error::NoMoreIds,
        SessionError::Codec(protocol::CodecError::BadUtf8) => Error::BadUtf8,
        other => Error::BadArgument(format!("{other:?}")),
    }
}

/// QoS 0 publishes whose bytes have all gone to the socket: onSuccess for them.
fn report_written(client: &Client, st: &mut State) {
    if st.written_ops.is_empty() || !st.session.pending_output().is_empty() {
        return;
    }
    let Some(l) = st.listener.clone() else {
        st.written_ops.clear();
        return;
    };
    for op in std::mem::take(&mut st.written_ops) {
        client.post(
            l.clone(),
            Notice::OpDone {
                op,
                token: 0,
                result: OpResult::Published {
                    reason: 0,
                    properties: Properties::default(),
                    message: None,
                },
            },
        );
    }
}

/// Trace each packet of the pending output not traced yet (`State::traced` counts the bytes
/// at its start already traced).
fn trace_sent(st: &mut State) {
    let Some(conn) = st.conn.as_ref() else {
        return;
    };
    if st.session.has_holes() {
        // A large payload written by reference, made before tracing was turned on: its
        // PUBLISH is not traced (the output is not whole packets until it has gone).
        return;
    }
    let fd = conn.transport.fd();
    let out = st.session.pending_output();
    let mut pos = st.traced.min(out.len());
    while let Ok(Some((p, used))) = protocol::decode(&out[pos..], st.session.version(), usize::MAX)
    {
        trace::protocol(&format!("{} {} -> {}", fd, st.trace_id, ptrace::sent(&p)));
        pos += used;
    }
    st.traced = pos;
}

/// Write what the session has pending until done or the socket would block.
fn pump_write(st: &mut State, now: Instant) -> io::Result<()> {
    st.flush_scheduled = false;
    if trace::enabled(trace::Level::Protocol) {
        st.session.set_large_by_reference(false);
        trace_sent(st);
    }
    let Some(conn) = st.conn.as_mut() else {
        return Ok(());
    };
    loop {
        // The headers of a large PUBLISH and its payload (kept apart, see the session's
        // `Hole`) leave in one vectored write.
        let mut bufs = [io::IoSlice::new(&[]); 4];
        let pieces = st.session.pending_output_vectored(&mut bufs);
        let r = match pieces {
            0 => return Ok(()),
            1 => conn.transport.write(&bufs[0]),
            _ => conn.transport.write_vectored(&bufs[..pieces]),
        };
        match r {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "socket closed")),
            Ok(n) => {
                conn.sent += n as u64;
                st.session.consume_output(n, now);
                st.traced = st.traced.saturating_sub(n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

struct ConnDriver {
    inner: Weak<Inner>,
    generation: u64,
}

impl ConnDriver {
    fn with_state<F>(&self, f: F) -> Option<Instant>
    where
        F: FnOnce(&Client, &mut State) -> Result<(), String>,
    {
        // Callbacks queued while handling this readiness are handed to the pool in one go.
        dispatch::batched(|| self.with_state_inner(f))
    }

    fn with_state_inner<F>(&self, f: F) -> Option<Instant>
    where
        F: FnOnce(&Client, &mut State) -> Result<(), String>,
    {
        let inner = self.inner.upgrade()?;
        let client = Client { inner };
        let mut st = client.lock();
        if st.generation != self.generation || st.conn.is_none() {
            return None;
        }
        if let Err(why) = f(&client, &mut st) {
            client.lose(&mut st, why);
            return None;
        }
        let deadline = st.session.poll_timeout();
        let wake = st.waiters > 0;
        let held = st.session.inflight_count() + st.offline.len();
        st.high_water = st.high_water.max(held);
        let burst_over = st.high_water >= BURST && held == 0;
        if burst_over {
            st.high_water = 0;
        }
        if held == 0 {
            st.session.release_idle_buffers();
        }
        drop(st);
        if wake {
            client.inner.cond.notify_all();
        }
        if burst_over {
            // Thousands of messages held through an outage and now all acknowledged leave
            // holes all over the heap; without this the process stays at its peak size.
            crate::engine::release_free_memory();
        }
        deadline
    }
}

impl Driver for ConnDriver {
    fn on_ready(&self, ready: Ready, now: Instant) -> Option<Instant> {
        self.with_state(|client, st| {
            if ready.writable {
                pump_write(st, now).map_err(|e| format!("write failed: {e}"))?;
            }
            if ready.readable {
                let got_bytes = read_and_handle(client, st, ready.closed, now)?;
                let sent = st.conn.as_ref().map_or(0, |c| c.sent);
                pump_write(st, now).map_err(|e| format!("write failed: {e}"))?;
                // What we read is acknowledged at once: by the answer we just wrote (PUBACK,
                // PUBREC, ...), or else by a forced ACK. Linux delays ACKs (up to 200 ms); a
                // broker that holds back its next packet until the previous one is
                // acknowledged (Nagle) waits that long. Leaving quick-ACK mode on is not
                // enough: a full-sized segment is still acknowledged late unless the
                // setsockopt pushes the pending ACK out.
                if let Some(conn) = st.conn.as_ref().filter(|c| got_bytes && c.sent == sent) {
                    conn.transport.quick_ack();
                }
            }
            report_written(client, st);
            Ok(())
        })
    }

    fn on_timeout(&self, now: Instant) -> Option<Instant> {
        self.with_state(|client, st| {
            crate::trace!(Maximum, "{}: timer", client.inner.client_id);
            match st.session.handle_timeout(now) {
                Ok(()) => {}
                Err(SessionError::Timeout) => {
                    // The DISCONNECT the session queued goes out before the close, as Paho's.
                    let _ = pump_write(st, now);
                    return Err(if st.connected {
                        "keepalive timeout: no PINGRESP".to_string()
                    } else {
                        "timed out waiting for CONNACK".to_string()
                    });
                }
                Err(e) => return Err(format!("{e:?}")),
            }
            pump_write(st, now).map_err(|e| format!("write failed: {e}"))
        })
    }
}

thread_local! {
    /// The engine thread reads every socket into this one buffer; a connection keeps only
    /// the bytes of a packet not yet complete, so an idle client holds no read buffer.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; READ_CHUNK]);
}

/// Read and handle what has arrived; true if any bytes came. With `closed` (the peer closed
/// or the socket failed) it reads on to the end or the error, even after a short read.
fn read_and_handle(
    client: &Client,
    st: &mut State,
    closed: bool,
    now: Instant,
) -> Result<bool, String> {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let mut got_bytes = false;
        let short_read_drains = |t: &Transport| !closed && t.short_read_drains();
        loop {
            let conn = st.conn.as_mut().ok_or("no connection")?;
            if let Some(large) = conn.large.as_mut() {
                let want = large.payload.len() - large.filled;
                // SAFETY: the rest of the payload's buffer, past what has arrived.
                let r = unsafe {
                    let at = large.payload.as_mut_ptr().add(large.filled);
                    conn.transport.read_raw(at, want)
                };
                match r {
                    Ok(0) => return Err("connection closed by the server".to_string()),
                    Ok(got) => {
                        got_bytes = true;
                        large.filled += got;
                        if got == want {
                            let large = conn.large.take().ok_or("no large packet")?;
                            handle_large(client, st, *large, now)?;
                            continue;
                        }
                        if short_read_drains(&conn.transport) {
                            break;
                        }
                        continue;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(format!("read failed: {e}")),
                }
            }
            // In the middle of a large packet, read straight into its buffer: one copy less.
            let missing = protocol::packet_len(&conn.read_buf)
                .map_or(0, |need| need.saturating_sub(conn.read_buf.len()));
            if missing >= READ_CHUNK {
                let len = conn.read_buf.len();
                conn.read_buf.resize(len + missing, 0);
                let r = conn.transport.read(&mut conn.read_buf[len..]);
                let got = *r.as_ref().unwrap_or(&0);
                conn.read_buf.truncate(len + got);
                match r {
                    Ok(0) => return Err("connection closed by the server".to_string()),
                    Ok(got) if got < missing => {
                        got_bytes = true;
                        if short_read_drains(&conn.transport) {
                            break;
                        }
                        continue;
                    }
                    Ok(_) => {
                        // The packet is complete: handle it now.
                        got_bytes = true;
                        let pending = std::mem::take(&mut conn.read_buf);
                        handle_pending(client, st, pending, None, now)?;
                        continue;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(format!("read failed: {e}")),
                }
            }
            let n = match conn.transport.read(&mut scratch[..]) {
                Ok(0) => {
                    return Err(if st.server_disconnected {
                        "the server sent DISCONNECT".to_string()
                    } else {
                        "connection closed by the server".to_string()
                    })
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read failed: {e}")),
            };
            got_bytes = true;
            let drained = n < scratch.len() && short_read_drains(&conn.transport);
            let pending = std::mem::take(&mut conn.read_buf);
            handle_pending(client, st, pending, Some(&scratch[..n]), now)?;
            if drained {
                // One read per readiness edge instead of a second one that would block.
                break;
            }
        }
        Ok(got_bytes)
    })
}

/// Handle the kept partial packet `pending` followed by `fresh` bytes (when given), and keep
/// what is left of an incomplete packet in the connection for the next read.
fn handle_pending(
    client: &Client,
    st: &mut State,
    mut pending: Vec<u8>,
    fresh: Option<&[u8]>,
    now: Instant,
) -> Result<(), String> {
    match fresh {
        Some(fresh) if pending.is_empty() => {
            // The usual case: whole packets straight from the read buffer, no copy.
            let used = handle_bytes(client, st, fresh, now)?;
            pending.extend_from_slice(&fresh[used..]);
        }
        _ => {
            if let Some(fresh) = fresh {
                pending.extend_from_slice(fresh);
            }
            let used = handle_bytes(client, st, &pending, now)?;
            pending.drain(..used);
        }
    }
    if st.server_disconnected {
        return Err("the server sent DISCONNECT".into());
    }
    // A large PUBLISH is read into the buffer the application gets (not when protocol
    // tracing, whose line shows the packet as decoded whole).
    if pending.len() >= 2 && !trace::enabled(trace::Level::Protocol) {
        let v5 = st.session.version() == ProtocolVersion::V5;
        if let Some(large) = LargeIn::start(&pending, v5) {
            if let Some(conn) = st.conn.as_mut() {
                conn.large = Some(Box::new(large));
                conn.read_buf = Vec::new();
            }
            return Ok(());
        }
    }
    if let Some(need) = protocol::packet_len(&pending) {
        // A large packet is arriving: make room for all of it once (up to a bound, so that a
        // hostile length does not reserve memory it never sends).
        let need = need.min(64 << 20);
        pending.reserve(need.saturating_sub(pending.len()));
    }
    if let Some(conn) = st.conn.as_mut() {
        if pending.is_empty() && pending.capacity() > READ_CHUNK {
            pending = Vec::new(); // a large message has passed: give the memory back
        }
        conn.read_buf = pending;
    }
    Ok(())
}

/// A [`LargeIn`] is complete: handle its headers as the packet, with its payload.
fn handle_large(
    client: &Client,
    st: &mut State,
    large: LargeIn,
    now: Instant,
) -> Result<(), String> {
    let mut payload = Some(large.payload);
    let used = handle_bytes_with(client, st, &large.head, now, &mut payload)?;
    if used != large.head.len() {
        return Err("malformed packet from the server: PUBLISH headers".to_string());
    }
    if st.server_disconnected {
        return Err("the server sent DISCONNECT".into());
    }
    Ok(())
}

/// Decode and handle every complete packet at the start of `data`; returns the bytes used
/// (a partial packet at the end is left for the caller to keep).
fn handle_bytes(
    client: &Client,
    st: &mut State,
    data: &[u8],
    now: Instant,
) -> Result<usize, String> {
    handle_bytes_with(client, st, data, now, &mut None)
}

/// [`handle_bytes`], where the payload of the (one) PUBLISH in `data`, which has none of its
/// own there, is `large` when given.
fn handle_bytes_with(
    client: &Client,
    st: &mut State,
    data: &[u8],
    now: Instant,
    large: &mut Option<MallocBuf>,
) -> Result<usize, String> {
    let max = st.session.max_incoming_packet_size();
    let mut pos = 0;
    while pos < data.len() {
        let State {
            session,
            inbox,
            listener,
            store,
            offline,
            ..
        } = st;
        let decoded = match protocol::decode(&data[pos..], session.version(), max) {
            Ok(d) => d,
            Err(e) => {
                // MQTT 5: tell the server why before closing (DISCONNECT with the reason).
                session.handle_decode_error(&e, now);
                let _ = pump_write(st, now);
                return Err(format!("malformed packet from the server: {e}"));
            }
        };
        let Some((packet, used)) = decoded else {
            break;
        };
        if trace::enabled(trace::Level::Protocol) {
            let fd = st.conn.as_ref().map_or(-1, |c| c.transport.fd());
            trace::protocol(&format!(
                "{} {} <- {}",
                fd,
                client.inner.client_id,
                ptrace::received(&packet)
            ));
        }
        let msg = match session.handle_packet(packet, now) {
            Ok(m) => m,
            Err(e) => {
                let _ = pump_write(st, now);
                return Err(format!("protocol error: {e:?}"));
            }
        };
        if session.journal_pending() {
            // Stored before the PUBREC / PUBREL that goes with it is written.
            apply_changes(session, store, offline, &client.inner.client_id);
        }
        if let Some(p) = msg {
            if p.qos == QoS::AtMostOnce {
                // Nobody waits for an answer to it: see the engine's read coalescing.
                crate::engine::note_unacked_read(used);
            }
            let m = Message {
                topic: MallocStr::new(&p.topic),
                payload: large
                    .take()
                    .unwrap_or_else(|| MallocBuf::copy_from(&p.payload)),
                qos: p.qos as u8,
                retained: p.retain,
                dup: p.dup,
                msgid: p.packet_id,
                properties: p.properties.into_owned(),
            };
            let to_callback = matches!(listener, Some(l) if l.wants_messages());
            ptrace::message_in(&client.inner.client_id, &m, to_callback);
            match listener {
                Some(l) if to_callback => {
                    let l = l.clone();
                    client.post(l, Notice::Message(m));
                }
                _ => inbox.push_back(m),
            }
        }
        pos += used;
        while let Some(ev) = st.session.poll_event() {
            handle_event(client, st, ev);
        }
        if st.conn.is_none() {
            return Err("connection closed".into());
        }
    }
    Ok(pos)
}

fn handle_event(client: &Client, st: &mut State, ev: Event) {
    match ev {
        Event::Connected {
            session_present,
            properties,
            discarded,
        } => {
            st.connected = true;
            st.ever_connected = true;
            if !discarded.is_empty() && !st.clean {
                // Paho's asynchronous client drops them too; a line says how many went.
                trace::error(&format!(
                    "{}: the server has no session for us: {} unacknowledged messages discarded",
                    st.trace_id,
                    discarded.len()
                ));
            }
            crate::trace!(
                Minimum,
                "{}: connected (MQTT version {}, session present: {session_present})",
                client.inner.client_id,
                st.session.version() as u8
            );
            fail_tokens(client, st, discarded, Error::Disconnected);
            st.connect = ConnectOutcome::Accepted {
                session_present,
                properties,
            };
            // Messages buffered while disconnected go out now, in order.
            let burst = st.offline.len();
            while let Some(Buffered { msg, op, id, key }) = st.offline.pop_front() {
                let sent = client.publish_locked(st, msg, op, id);
                // Now in the session (and, for QoS>0, stored as such), or failed: either way
                // its buffered entry goes.
                unstore(st, key.as_deref());
                if let Err(e) = sent {
                    trace::error(&format!(
                        "{}: buffered message {id} could not be sent after connect: {e:?}",
                        client.inner.client_id
                    ));
                    if id != 0 {
                        st.session.release_reserved(id);
                    }
                    if let (Some(op), Some(l)) = (op, st.listener.clone()) {
                        client.post(
                            l,
                            Notice::OpDone {
                                op,
                                token: id,
                                result: OpResult::Failed(e),
                            },
                        );
                    }
                }
            }
            if burst >= BURST {
                // The buffer of a long outage has gone to the session: its capacity goes.
                st.offline = VecDeque::new();
            }
        }
        Event::ConnectRefused { code, properties } => {
            st.connect = ConnectOutcome::Refused { code, properties };
        }
        Event::PublishComplete {
            packet_id,
            reason,
            properties,
            message,
        } => {
            crate::trace!(
                Minimum,
                "{}: message msgid {packet_id} complete (reason code {reason})",
                client.inner.client_id
            );
            let tagged = crate::session::idmap::remove_and_release(&mut st.ops, &packet_id);
            if let Some(l) = st.listener.clone() {
                if st.session.version() == ProtocolVersion::V5 && l.wants_published() {
                    let qos = tagged.map_or(1, |(_, q)| q);
                    let packet_type = if qos == 2 {
                        if reason >= 0x80 {
                            5
                        } else {
                            7
                        }
                    } else {
                        4
                    };
                    client.post(
                        l.clone(),
                        Notice::Published {
                            token: packet_id,
                            packet_type,
                            reason,
                            properties: properties.clone(),
                        },
                    );
                }
                if l.wants_delivery_complete() {
                    client.post(l.clone(), Notice::DeliveryComplete(packet_id));
                }
                if let Some((Some(op), _)) = tagged {
                    client.post(
                        l,
                        Notice::OpDone {
                            op,
                            token: packet_id,
                            result: OpResult::Published {
                                reason,
                                properties,
                                message: Some(message),
                            },
                        },
                    );
                }
            }
        }
        Event::SubAck {
            packet_id,
            codes,
            properties,
        }
        | Event::UnsubAck {
            packet_id,
            codes,
            properties,
        } => {
            crate::trace!(
                Minimum,
                "{}: request msgid {packet_id} acknowledged, codes {:?}",
                client.inner.client_id,
                codes
            );
            let r = AckResult { codes, properties };
            match crate::session::idmap::remove_and_release(&mut st.ops, &packet_id) {
                Some((Some(op), _)) => {
                    if let Some(l) = st.listener.clone() {
                        client.post(
                            l,
                            Notice::OpDone {
                                op,
                                token: packet_id,
                                result: OpResult::Acked(r),
                            },
                        );
                    }
                }
                _ => {
                    st.acks.insert(packet_id, Ok(r));
                }
            }
        }
        Event::ServerDisconnect { reason, properties } => {
            // The connection ends here: read_and_handle closes it after this batch.
            st.server_disconnected = true;
            if let Some(l) = st.listener.clone() {
                client.post(l, Notice::Disconnected { reason, properties });
            }
        }
        Event::Auth { .. } => {}
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let st = self.st.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(mut conn) = st.conn.take() {
            let _ = self.engine.registry().deregister(conn.transport.source());
            self.engine.remove(conn.token);
        }
    }
}

fn restore_locked(st: &mut State) -> Result<(), Error> {
    if st.restored {
        return Ok(());
    }
    let Some(store) = st.store.as_mut() else {
        st.restored = true;
        return Ok(());
    };
    let id = st.trace_id.clone();
    let skip = |key: &str, why: &str| {
        trace::error(&format!(
            "{id}: persistence: skipping damaged entry {key}: {why}"
        ));
    };
    let keys = store
        .keys()
        .map_err(|e| Error::Persistence(format!("listing the store: {e}")))?;
    let mut sent = Vec::new();
    let mut queued = Vec::new();
    let mut released = HashMap::new();
    let mut received = Vec::new();
    let mut any_v5 = false;
    for key in &keys {
        let Some((kind, v5, n)) = persist::parse_key(key) else {
            // Left where it is: it may be the application's (a user store), and a file store
            // holds nothing else of ours.
            trace::error(&format!(
                "{id}: persistence: ignoring entry {key}: not a key of this library"
            ));
            continue;
        };
        let id16 = u16::try_from(n).ok().filter(|i| *i != 0);
        match kind {
            Kind::Released => match id16 {
                Some(i) => {
                    released.insert(i, key.as_str());
                }
                None => skip(key, "packet id out of range"),
            },
            Kind::Received => match id16 {
                Some(i) => {
                    // The session's version follows its entries (else a connect at that
                    // version would start a fresh session and forget this one).
                    any_v5 |= v5;
                    received.push(i);
                }
                None => skip(key, "packet id out of range"),
            },
            Kind::Sent | Kind::Queued => {
                let bytes = match store.get(key) {
                    Ok(b) => b,
                    Err(e) => {
                        skip(key, &e);
                        continue;
                    }
                };
                let (msg, seq) = match persist::read_publish_record(&bytes, v5) {
                    Ok(r) => r,
                    Err(e) => {
                        skip(key, &e);
                        continue;
                    }
                };
                if kind == Kind::Sent {
                    if id16 != Some(msg.packet_id) || msg.qos == QoS::AtMostOnce {
                        skip(key, "the message does not match its key");
                        continue;
                    }
                    any_v5 |= v5;
                    sent.push((seq.unwrap_or(u64::from(msg.packet_id)), msg));
                } else {
                    queued.push((seq.unwrap_or(n), key.clone(), msg));
                }
            }
        }
    }
    sent.sort_by_key(|(seq, _)| *seq);
    queued.sort_by_key(|(seq, _, _)| *seq);
    let max_seq = sent
        .iter()
        .map(|(s, _)| *s)
        .chain(queued.iter().map(|(s, _, _)| *s))
        .max()
        .unwrap_or(0);
    for (i, key) in &released {
        if !sent.iter().any(|(_, m)| m.packet_id == *i) {
            skip(key, "its PUBLISH entry is missing or damaged");
        }
    }
    let outbound: Vec<RestoredPublish> = sent
        .into_iter()
        .map(|(_, msg)| RestoredPublish {
            released: released.contains_key(&msg.packet_id),
            msg,
        })
        .collect();
    let n_out = outbound.len();
    let version = if any_v5 {
        ProtocolVersion::V5
    } else {
        st.session.version()
    };
    let skipped = st
        .session
        .restore_parts(version, outbound, received)
        .map_err(|e| Error::Persistence(format!("restoring: {e}")))?;
    for i in skipped {
        trace::error(&format!(
            "{}: persistence: entry for packet id {i} skipped: the id is in use",
            st.trace_id
        ));
    }
    let n_queued = queued.len();
    for (_, key, msg) in queued {
        let id = msg.packet_id;
        if id != 0 && !st.session.reserve_specific(id) {
            trace::error(&format!(
                "{}: persistence: buffered entry {key} skipped: packet id {id} is in use",
                st.trace_id
            ));
            continue;
        }
        st.offline.push_back(Buffered {
            msg,
            op: None,
            id,
            key: Some(key),
        });
    }
    st.store_seq = st.store_seq.max(max_seq + 1);
    st.restored = true;
    trace::minimum(&format!(
        "{}: persistence: restored {n_out} unacknowledged and {n_queued} buffered messages",
        st.trace_id
    ));
    Ok(())
}

/// Replace the session by a new one with the same settings (following the store, if any).
fn fresh_session(st: &mut State) {
    st.session = Session::new(st.session.config().clone());
    st.session.set_journal(st.store.is_some());
}

/// Remove a store entry, tracing a failure (the entry is then read back, and skipped or
/// resent, by the next process: no message is lost by it).
fn unstore(st: &mut State, key: Option<&str>) {
    if let (Some(store), Some(key)) = (st.store.as_mut(), key) {
        if let Err(e) = store.remove(key) {
            trace::error(&format!("{}: persistence: {e}", st.trace_id));
        }
    }
}

fn persistence_error(st: &State, e: String) -> Error {
    trace::error(&format!("{}: persistence: {e}", st.trace_id));
    Error::Persistence(e)
}

/// Store a message buffered while disconnected (QoS 0 only with persistQoS0); its key.
fn store_buffered(st: &mut State, msg: &Publish<'static>) -> Result<Option<String>, Error> {
    if st.store.is_none() || (msg.qos == QoS::AtMostOnce && !st.persist_qos0) {
        return Ok(None);
    }
    put_publish(st, Kind::Queued, msg).map(Some)
}

/// Store `msg` as an entry of `kind` (`s-<packet id>` or `q-<sequence number>`) with the next
/// sequence number; its key.
fn put_publish(st: &mut State, kind: Kind, msg: &Publish<'_>) -> Result<String, Error> {
    let version = st.session.version();
    let seq = st.store_seq;
    let (packet, trailer) = persist::publish_record(msg, version, seq)
        .map_err(|e| session_err(SessionError::Codec(e)))?;
    let n = match kind {
        Kind::Sent => u64::from(msg.packet_id),
        _ => seq,
    };
    let key = persist::key(kind, version == ProtocolVersion::V5, n);
    let put = match st.store.as_mut() {
        Some(store) => store.put(&key, &[&packet, &trailer]),
        None => Ok(()),
    };
    put.map_err(|e| persistence_error(st, e))?;
    st.store_seq += 1;
    Ok(key)
}

/// Publish a QoS>0 message with a store: the message is in the store before the session
/// takes it (and so before the call returns its token); if storing fails, it is refused.
fn publish_stored(st: &mut State, msg: Publish<'_>, reserved: u16) -> Result<u16, Error> {
    if st.session.state() != ConnState::Connected {
        return Err(Error::Disconnected);
    }
    let id = if reserved != 0 {
        reserved
    } else {
        st.session.reserve_id().map_err(session_err)?
    };
    let release = |st: &mut State| {
        if reserved == 0 {
            st.session.release_reserved(id);
        }
    };
    let mut msg = msg;
    msg.packet_id = id;
    let key = match put_publish(st, Kind::Sent, &msg) {
        Ok(key) => key,
        Err(e) => {
            release(st);
            return Err(e);
        }
    };
    match st.session.publish_reserved(msg, id, Instant::now()) {
        Ok(id) => Ok(id),
        Err(e) => {
            unstore(st, Some(&key));
            release(st);
            Err(session_err(e))
        }
    }
}

/// Bring the store up to date with the session's durable changes.
fn apply_journal(st: &mut State) {
    let State {
        session,
        store,
        trace_id,
        offline,
        ..
    } = st;
    apply_changes(session, store, offline, trace_id);
}

/// Apply the session's durable changes to the store. A discarded session empties the store,
/// but for the entries of buffered messages, which outlive a clean start.
fn apply_changes(
    session: &mut Session,
    store: &mut Option<Box<dyn Store>>,
    offline: &VecDeque<Buffered>,
    trace_id: &str,
) {
    let changes = session.take_journal();
    let may_clear_all = !offline.iter().any(|b| b.key.is_some());
    let Some(store) = store.as_mut() else {
        return;
    };
    let v5 = session.version() == ProtocolVersion::V5;
    for change in changes {
        let r = match change {
            DurableChange::Released(id) => {
                let rel = [0x62, 0x02, (id >> 8) as u8, id as u8];
                store.put(&persist::key(Kind::Released, v5, u64::from(id)), &[&rel])
            }
            DurableChange::Completed { id, released } => {
                let id = u64::from(id);
                store
                    .remove(&persist::key(Kind::Sent, v5, id))
                    .and_then(|_| {
                        // Only a message that reached PUBREL has that entry: no unlink per QoS 1.
                        if released {
                            store.remove(&persist::key(Kind::Released, v5, id))
                        } else {
                            Ok(())
                        }
                    })
            }
            DurableChange::Received(id) => {
                let rec = [0x50, 0x02, (id >> 8) as u8, id as u8];
                store.put(&persist::key(Kind::Received, v5, u64::from(id)), &[&rec])
            }
            DurableChange::ReceiveDone(id) => {
                store.remove(&persist::key(Kind::Received, v5, u64::from(id)))
            }
            DurableChange::Discarded if may_clear_all => store.clear(),
            DurableChange::Discarded => store.keys().and_then(|keys| {
                keys.iter()
                    .filter(|k| {
                        matches!(persist::parse_key(k), Some((kind, _, _)) if kind != Kind::Queued)
                    })
                    .try_for_each(|k| store.remove(k))
            }),
        };
        if let Err(e) = r {
            trace::error(&format!("{trace_id}: persistence: {e}"));
        }
    }
}

/// Convert a C QoS integer.
pub fn qos_from_int(q: i32) -> Option<QoS> {
    u8::try_from(q).ok().and_then(QoS::from_u8)
}

// Silence "unused" for state the async API will use.
#[allow(dead_code)]
fn _unused(st: &State) -> (u64, ConnState) {
    (st.losses, st.session.state())
}
