//! Sans-IO MQTT session: the client side of the protocol state machine.
//!
//! Driven only by its inputs: decoded packets ([`Session::handle_packet`]), user commands
//! ([`Session::connect`], [`Session::publish`], ...), and the current time passed in as `now`.
//! Its outputs: bytes to write ([`Session::pending_output`]), events ([`Session::poll_event`])
//! and the next deadline ([`Session::poll_timeout`]). No socket, clock or thread in here.
//!
//! What it keeps:
//! - packet ids 1..=65535, shared by PUBLISH, SUBSCRIBE and UNSUBSCRIBE, handed out in
//!   increasing order and never while in flight or reserved ([`Session::reserve_id`]);
//! - outbound QoS>0 messages in publication order, each queued, awaiting PUBACK, PUBREC or
//!   PUBCOMP; after a reconnect with session present the unacknowledged PUBLISHes go again
//!   with DUP=1 and the PUBRELs again, in that order, within the server's Receive Maximum;
//! - inbound QoS 2 ids between PUBREC and PUBREL, so a redelivery is acknowledged and not
//!   delivered twice;
//! - per connection: requests awaiting SUBACK/UNSUBACK, inbound topic aliases, the server's
//!   CONNACK limits, keepalive times.
//!
//! The durable part (everything above that outlives a connection) round-trips through
//! [`Session::snapshot`] and [`Session::restore`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::protocol::{
    encode, prop_id, Ack, CodecError, ConnAck, Connect, Disconnect, Packet, Properties,
    PropertyValue, ProtocolVersion, Publish, QoS, SubAck, Subscribe, SubscriptionOptions,
    Unsubscribe,
};

#[cfg(test)]
mod chaos_tests;
pub mod idmap;
mod ids;
#[cfg(test)]
mod prop_tests;
mod snapshot;
#[cfg(test)]
mod tests;

use idmap::IdMap;
use ids::PacketIds;

/// Settings fixed for the life of a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Largest packet we accept from the server (bytes, whole packet). Also announced as
    /// Maximum Packet Size in MQTT 5 CONNECT by the client layer if it wishes.
    pub max_incoming_packet_size: usize,
    /// Paho's `maxInflightMessages`: at most this many outbound QoS>0 publishes in flight at
    /// once; one more is refused with [`SessionError::TooManyInflight`]. 0 = no limit of our own.
    pub max_inflight: usize,
    /// A window of our own on outbound QoS>0 publishes on the wire (Paho's async
    /// `maxInflight`): beyond it they wait in order, like beyond the server's Receive
    /// Maximum. 0 = only the server's limit.
    pub send_window: usize,
    /// Our Receive Maximum (MQTT 5): more inbound QoS>0 publishes awaiting our acknowledgement
    /// than this is a protocol error (DISCONNECT 0x93). 65535 when not announced.
    pub receive_maximum: u16,
    /// Topic Alias Maximum we announced (MQTT 5); inbound aliases above it are a protocol error.
    pub topic_alias_maximum: u16,
    /// When a connect that asked to keep the session finds none at the server (CONNACK
    /// session present 0), send every unacknowledged outbound message again instead of
    /// discarding it. Paho's synchronous client does this; its asynchronous one discards.
    pub resend_without_session: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_incoming_packet_size: 268_435_460,
            max_inflight: 0,
            send_window: 0,
            receive_maximum: 65535,
            topic_alias_maximum: 0,
            resend_without_session: false,
        }
    }
}

/// Why the session refused a command or gave up on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// A command that needs a connection (publish, subscribe, ...) while not connected.
    NotConnected,
    /// All 65,535 packet identifiers are in use.
    NoPacketIdAvailable,
    /// `max_inflight` outbound QoS>0 messages are already in flight.
    TooManyInflight,
    /// The packet is larger than the server's Maximum Packet Size (MQTT 5 CONNACK).
    PacketTooLarge,
    /// The server used QoS/retain beyond what it announced, or we asked for more than allowed.
    NotAllowed(&'static str),
    /// The command's fields do not encode (bad topic, bad UTF-8, ...).
    Codec(CodecError),
    /// The server broke the protocol; the connection must be closed. For MQTT 5 a
    /// DISCONNECT with `reason` has already been queued in the output.
    Protocol {
        /// MQTT 5 reason code describing the violation (0x81, 0x82, 0x93, 0x94, ...).
        reason: u8,
        /// What happened, for the trace.
        what: String,
    },
    /// No PINGRESP (or CONNACK) arrived in time; the connection must be closed.
    Timeout,
    /// [`Session::restore`] was given bytes that are not a snapshot of ours (or a damaged one).
    Snapshot(&'static str),
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::NotConnected => write!(f, "not connected"),
            SessionError::NoPacketIdAvailable => write!(f, "all packet identifiers are in use"),
            SessionError::TooManyInflight => write!(f, "too many messages in flight"),
            SessionError::PacketTooLarge => {
                write!(f, "packet exceeds the server's maximum packet size")
            }
            SessionError::NotAllowed(what) => write!(f, "not allowed: {what}"),
            SessionError::Codec(e) => write!(f, "{e}"),
            SessionError::Protocol { reason, what } => {
                write!(f, "protocol error 0x{reason:02x}: {what}")
            }
            SessionError::Timeout => write!(f, "timed out waiting for the server"),
            SessionError::Snapshot(what) => write!(f, "bad session snapshot: {what}"),
        }
    }
}

impl std::error::Error for SessionError {}

impl From<CodecError> for SessionError {
    fn from(e: CodecError) -> Self {
        SessionError::Codec(e)
    }
}

/// A change to the durable state, recorded while [`Session::set_journal`] is on so that a
/// persistent store can follow the session. The layer above applies them before it writes
/// the output that goes with them (a PUBREC or PUBREL leaves only after its record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurableChange {
    /// PUBREC arrived for outbound QoS 2 message `id`: it now awaits PUBCOMP.
    Released(u16),
    /// The flow of outbound message `id` ended (acknowledged, or refused by the server);
    /// `released`: it had reached its PUBREL stage (a `Released` was recorded for it).
    Completed {
        /// Packet id.
        id: u16,
        /// PUBREC had arrived.
        released: bool,
    },
    /// Inbound QoS 2 message `id` was accepted and will be delivered; a redelivery of it
    /// must not be delivered again until its PUBREL.
    Received(u16),
    /// PUBREL arrived for inbound QoS 2 message `id`.
    ReceiveDone(u16),
    /// Everything durable was dropped (clean start).
    Discarded,
}

/// One outbound message read back from a store, for [`Session::restore_parts`].
#[derive(Debug, Clone)]
pub struct RestoredPublish {
    /// The message; its `packet_id` is the id it was published under.
    pub msg: Publish<'static>,
    /// PUBREC had arrived: only PUBREL is left to send.
    pub released: bool,
}

/// Connection state as the session sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// No transport.
    Disconnected,
    /// CONNECT queued or sent, CONNACK not yet received.
    Connecting,
    /// CONNACK with success received.
    Connected,
    /// DISCONNECT queued by us; waiting for the transport to close.
    Disconnecting,
}

/// A sent message handed back when its flow is complete ([`Event::PublishComplete`]). When
/// it is dropped, a large payload's buffer goes to [`crate::bufpool`] for the next large
/// message, not back to malloc (see there why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned(pub Publish<'static>);

impl std::ops::Deref for Returned {
    type Target = Publish<'static>;
    fn deref(&self) -> &Publish<'static> {
        &self.0
    }
}

impl Drop for Returned {
    fn drop(&mut self) {
        if let Cow::Owned(v) = std::mem::take(&mut self.0.payload) {
            crate::bufpool::give_vec(v);
        }
    }
}

/// The message as the session keeps it: all its data owned; a large payload copied into a
/// buffer that an earlier large message gave back, if one fits ([`crate::bufpool`]).
fn owned(mut msg: Publish<'_>) -> Publish<'static> {
    if let Cow::Borrowed(b) = msg.payload {
        let mut v = crate::bufpool::take_vec(b.len());
        v.extend_from_slice(b);
        msg.payload = Cow::Owned(v);
    }
    msg.into_owned()
}

/// Something that happened which the layer above must learn of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// CONNACK accepted the connection. Unacknowledged messages have been queued for resend
    /// (session present, or [`SessionConfig::resend_without_session`]) or discarded (no
    /// session present, or a clean start; see `discarded`).
    Connected {
        /// The server kept our session.
        session_present: bool,
        /// CONNACK properties (MQTT 5).
        properties: Properties<'static>,
        /// Packet ids of outbound messages discarded because the server has no session.
        discarded: Vec<u16>,
    },
    /// CONNACK refused the connection (return code 1..=5, or MQTT 5 reason >= 0x80).
    ConnectRefused {
        /// The raw code.
        code: u8,
        /// CONNACK properties (MQTT 5).
        properties: Properties<'static>,
    },
    /// An outbound QoS 1 message got its PUBACK or a QoS 2 message its PUBCOMP (or, MQTT 5,
    /// a PUBREC with a failure reason code ended the flow early).
    PublishComplete {
        /// Packet id = token.
        packet_id: u16,
        /// Reason code of the final acknowledgement (0 for 3.x).
        reason: u8,
        /// Its properties.
        properties: Properties<'static>,
        /// The message, handed back: whoever reports the completion (Paho's onSuccess
        /// carries the message) needs no copy of its own. Boxed: every client keeps a queue
        /// of events, whose size is that of the largest.
        message: Box<Returned>,
    },
    /// SUBACK for a SUBSCRIBE.
    SubAck {
        /// Packet id = token.
        packet_id: u16,
        /// One granted QoS / reason code per filter, raw.
        codes: Vec<u8>,
        /// Properties (MQTT 5).
        properties: Properties<'static>,
    },
    /// UNSUBACK for an UNSUBSCRIBE.
    UnsubAck {
        /// Packet id = token.
        packet_id: u16,
        /// Reason codes (MQTT 5; empty for 3.x).
        codes: Vec<u8>,
        /// Properties (MQTT 5).
        properties: Properties<'static>,
    },
    /// The server sent DISCONNECT (MQTT 5).
    ServerDisconnect {
        /// Its reason code.
        reason: u8,
        /// Its properties.
        properties: Properties<'static>,
    },
    /// The server sent AUTH (MQTT 5 enhanced authentication).
    Auth {
        /// Its reason code.
        reason: u8,
        /// Its properties.
        properties: Properties<'static>,
    },
}

/// Where an outbound QoS>0 message is in its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutState {
    /// Accepted but not on the wire on this connection (server's Receive Maximum reached,
    /// not connected, or waiting for the resend after a reconnect).
    Queued,
    /// QoS 1 PUBLISH sent, PUBACK awaited.
    AwaitPubAck,
    /// QoS 2 PUBLISH sent, PUBREC awaited.
    AwaitPubRec,
    /// QoS 2 PUBREL sent, PUBCOMP awaited. The server has the message: only PUBREL is resent.
    AwaitPubComp,
}

/// A payload of at least this many bytes is written from the message the session keeps (a
/// [`Hole`] in the output) instead of being copied behind its headers first.
const LARGE_OUT: usize = 64 * 1024;

/// A large payload in the output: after the first `at` bytes of `out`, the payload of an
/// outbound message goes out straight from where the session keeps it for resending. Paho
/// writes a PUBLISH from its parts the same way; a copy of a message of many megabytes into
/// the output, and the fresh pages the copy lands in, cost more than the write itself.
#[derive(Debug)]
struct Hole {
    at: usize,
    src: HoleSrc,
}

#[derive(Debug)]
enum HoleSrc {
    /// The payload of outbound message `seq`.
    Outbound(u64),
    /// A copy, for a message that left the session before its payload was all written (a
    /// server acknowledging a PUBLISH it has not all received, or the session discarded).
    Owned(Vec<u8>),
}

/// One outbound QoS>0 message not yet complete.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OutMsg {
    id: u16,
    state: OutState,
    /// The PUBLISH went out at least once, so any further send carries DUP=1.
    sent_before: bool,
    /// The message as the application gave it (id and dup are filled in on each send).
    msg: Publish<'static>,
}

/// A SUBSCRIBE or UNSUBSCRIBE awaiting its acknowledgement.
#[derive(Debug, Clone, Copy)]
struct Request {
    unsubscribe: bool,
    filters: usize,
}

/// What the server announced in CONNACK (MQTT 5), or the specification's defaults.
#[derive(Debug, Clone, Copy)]
struct ServerLimits {
    receive_maximum: u16,
    maximum_qos: QoS,
    retain_available: bool,
    maximum_packet_size: Option<u32>,
    topic_alias_maximum: u16,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            receive_maximum: 65535,
            maximum_qos: QoS::ExactlyOnce,
            retain_available: true,
            maximum_packet_size: None,
            topic_alias_maximum: 0,
        }
    }
}

/// Paho 1.3 declares the connection lost when no PINGRESP has come 1.5 keepalive intervals
/// after its PINGREQ; see [`Session::handle_timeout`] for the measurement behind this.
fn ping_timeout(keep_alive: Duration) -> Duration {
    keep_alive * 3 / 2
}

/// The session's state. See the module documentation.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    version: ProtocolVersion,
    state: ConnState,
    /// Set when the session gave up on the connection (protocol error, timeout): packets
    /// still arriving on it are ignored until [`Session::connection_lost`].
    failed: bool,
    out: Vec<u8>,
    /// Bytes of `out` already written: consuming output moves this instead of the bytes, so
    /// a large message written in many pieces is not shifted down after each one.
    out_start: usize,
    /// Large payloads that go out between bytes of `out`, in order (see [`Hole`]).
    holes: VecDeque<Hole>,
    /// Bytes of the first hole already written (when `out_start` is at it).
    hole_off: usize,
    /// Whether large payloads may be written from where they are kept (see [`Hole`]).
    large_by_reference: bool,
    events: VecDeque<Event>,

    // Durable state.
    ids: PacketIds,
    /// Outbound QoS>0 messages by the order they were published in.
    outbound: BTreeMap<u64, OutMsg>,
    /// Packet id -> key in `outbound`.
    out_index: IdMap<u16, u64>,
    /// Keys in `outbound` of the messages in [`OutState::Queued`], in order.
    queue: BTreeSet<u64>,
    next_seq: u64,
    /// Inbound QoS 2 ids for which PUBREC was sent and PUBREL not yet received; the value
    /// says whether the PUBLISH came on the current connection (only those count against
    /// our Receive Maximum: the server's send quota restarts with each connection).
    inbound_qos2: BTreeMap<u16, bool>,
    /// How many entries of `inbound_qos2` came on the current connection.
    inbound_this_conn: usize,

    // Per-connection state.
    requests: IdMap<u16, Request>,
    aliases: HashMap<u16, String>,
    server: ServerLimits,
    receive_maximum: u16,
    topic_alias_maximum: u16,
    /// Largest packet accepted on this connection: the configured limit, or the Maximum
    /// Packet Size of our MQTT 5 CONNECT when smaller.
    max_incoming: usize,
    clean_start: bool,
    keep_alive: Duration,
    last_sent: Option<Instant>,
    last_received: Option<Instant>,
    ping_sent: Option<Instant>,
    connect_deadline: Option<Instant>,
    discarded_at_connect: Vec<u16>,
    assigned_client_id: Option<String>,
    /// Durable changes not yet taken, when a store follows the session.
    journal: Option<Vec<DurableChange>>,
}

/// Look up a property by identifier.
fn find_prop<'p, 'a>(props: &'p Properties<'a>, id: u8) -> Option<&'p PropertyValue<'a>> {
    props.0.iter().find(|p| p.id == id).map(|p| &p.value)
}

/// Encode `packet` at the end of `out`; when `max` is given and the packet is bigger,
/// nothing is appended and the error is [`SessionError::PacketTooLarge`].
fn encode_limited(
    packet: &Packet<'_>,
    version: ProtocolVersion,
    max: Option<u32>,
    out: &mut Vec<u8>,
) -> Result<(), SessionError> {
    let start = out.len();
    encode(packet, version, out)?;
    if let Some(max) = max {
        if out.len() - start > max as usize {
            out.truncate(start);
            return Err(SessionError::PacketTooLarge);
        }
    }
    Ok(())
}

/// Write the PUBLISH of `m` to `out`, after checking its fields and size; with `by_ref` and
/// a large payload, only its headers: true then, and the caller puts a [`Hole`] for the
/// payload right behind them.
fn put_publish(
    m: &OutMsg,
    dup: bool,
    version: ProtocolVersion,
    max: Option<u32>,
    out: &mut Vec<u8>,
    by_ref: bool,
) -> Result<bool, SessionError> {
    let wire = wire_publish(m, dup, version);
    let len = m.msg.payload.len();
    if !by_ref || len < LARGE_OUT {
        encode_limited(&wire, version, max, out)?;
        return Ok(false);
    }
    let Packet::Publish(p) = &wire else {
        return Ok(false);
    };
    let start = out.len();
    crate::protocol::encode_publish_head(p, len, version, out)?;
    if max.is_some_and(|max| out.len() - start + len > max as usize) {
        out.truncate(start);
        return Err(SessionError::PacketTooLarge);
    }
    Ok(true)
}

/// The PUBLISH of `m` as it goes on the wire now.
fn wire_publish<'m>(m: &'m OutMsg, dup: bool, version: ProtocolVersion) -> Packet<'m> {
    Packet::Publish(Publish {
        dup,
        qos: m.msg.qos,
        retain: m.msg.retain,
        topic: Cow::Borrowed(&m.msg.topic),
        packet_id: m.id,
        properties: if version == ProtocolVersion::V5 {
            m.msg.properties.clone()
        } else {
            Properties::default()
        },
        payload: Cow::Borrowed(&m.msg.payload),
    })
}

fn ack(packet_id: u16, reason: u8) -> Ack<'static> {
    Ack {
        packet_id,
        reason,
        properties: Properties::default(),
    }
}

impl Session {
    /// A new session, disconnected, with no state.
    pub fn new(config: SessionConfig) -> Self {
        Session {
            receive_maximum: config.receive_maximum,
            topic_alias_maximum: config.topic_alias_maximum,
            max_incoming: config.max_incoming_packet_size,
            config,
            version: ProtocolVersion::V311,
            state: ConnState::Disconnected,
            failed: false,
            out: Vec::new(),
            out_start: 0,
            holes: VecDeque::new(),
            hole_off: 0,
            large_by_reference: true,
            events: VecDeque::new(),
            ids: PacketIds::new(),
            outbound: BTreeMap::new(),
            out_index: IdMap::default(),
            queue: BTreeSet::new(),
            next_seq: 0,
            inbound_qos2: BTreeMap::new(),
            inbound_this_conn: 0,
            requests: IdMap::default(),
            aliases: HashMap::new(),
            server: ServerLimits::default(),
            clean_start: false,
            keep_alive: Duration::ZERO,
            last_sent: None,
            last_received: None,
            ping_sent: None,
            connect_deadline: None,
            discarded_at_connect: Vec::new(),
            journal: None,
            assigned_client_id: None,
        }
    }

    /// Change Paho's `maxInflightMessages` (it comes with each connect's options).
    pub fn set_max_inflight(&mut self, max_inflight: usize) {
        self.config.max_inflight = max_inflight;
    }

    /// Change [`SessionConfig::resend_without_session`].
    pub fn set_resend_without_session(&mut self, on: bool) {
        self.config.resend_without_session = on;
    }

    /// Change the send window (see [`SessionConfig::send_window`]).
    pub fn set_send_window(&mut self, window: usize) {
        self.config.send_window = window;
    }

    /// The settings this session was made with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The protocol version of the current (or last) connection.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// The connection state.
    pub fn state(&self) -> ConnState {
        self.state
    }

    /// The keepalive interval in force: the one of CONNECT, or the server's Server Keep Alive
    /// (MQTT 5) once CONNACK has arrived. Zero means no keepalive.
    pub fn keep_alive(&self) -> Duration {
        self.keep_alive
    }

    /// The client identifier the server assigned in CONNACK (MQTT 5 Assigned Client
    /// Identifier) when we connected with an empty one. Kept across reconnects, so the client
    /// layer can reuse it for the next CONNECT, until the next CONNACK that carries one.
    pub fn assigned_client_id(&self) -> Option<&str> {
        self.assigned_client_id.as_deref()
    }

    /// The largest packet the server may send on this connection (whole packet, bytes):
    /// [`SessionConfig::max_incoming_packet_size`], or the Maximum Packet Size our MQTT 5
    /// CONNECT announced when that is smaller. Feed it to the decoder: a bigger packet is a
    /// [`CodecError::PacketTooLarge`], which [`Session::handle_decode_error`] answers with
    /// DISCONNECT 0x95.
    pub fn max_incoming_packet_size(&self) -> usize {
        self.max_incoming
    }

    /// Number of outbound QoS>0 messages accepted and not yet complete (sent or waiting).
    pub fn inflight_count(&self) -> usize {
        self.outbound.len()
    }

    /// Outbound QoS>0 messages on the wire now, i.e. counted against the server's Receive
    /// Maximum (the others wait in order).
    fn on_wire(&self) -> usize {
        self.outbound.len() - self.queue.len()
    }

    /// Drop the state that lives only as long as one network connection.
    fn reset_connection(&mut self) {
        self.out.clear();
        self.out_start = 0;
        self.holes.clear();
        self.hole_off = 0;
        self.failed = false;
        self.aliases.clear();
        self.server = ServerLimits::default();
        self.keep_alive = Duration::ZERO;
        self.last_sent = None;
        self.last_received = None;
        self.ping_sent = None;
        self.connect_deadline = None;
        for (seq, m) in self.outbound.iter_mut() {
            // A PUBLISH not acknowledged must go out again after the reconnect; a PUBREL
            // awaiting PUBCOMP stays as it is (only the PUBREL is resent).
            if matches!(m.state, OutState::AwaitPubAck | OutState::AwaitPubRec) {
                m.state = OutState::Queued;
                self.queue.insert(*seq);
            }
        }
        for this_conn in self.inbound_qos2.values_mut() {
            *this_conn = false;
        }
        self.inbound_this_conn = 0;
    }

    /// Forget all durable state; returns the ids of the outbound messages dropped.
    fn discard_durable(&mut self) -> Vec<u16> {
        self.record(DurableChange::Discarded);
        let dropped: Vec<u16> = self.outbound.values().map(|m| m.id).collect();
        for id in &dropped {
            self.ids.release(*id);
        }
        self.detach_holes(|_| true);
        self.outbound.clear();
        self.out_index.clear();
        self.queue.clear();
        self.inbound_qos2.clear();
        self.inbound_this_conn = 0;
        dropped
    }

    /// Forget the inbound QoS 2 flows awaiting PUBREL.
    fn forget_inbound_qos2(&mut self) {
        let ids: Vec<u16> = self.inbound_qos2.keys().copied().collect();
        for id in ids {
            self.record(DurableChange::ReceiveDone(id));
        }
        self.inbound_qos2.clear();
        self.inbound_this_conn = 0;
    }

    /// A transport is up: queue CONNECT. With `clean_start` the durable state is discarded now
    /// (the ids of discarded outbound messages are reported in the next [`Event::Connected`]).
    /// Keepalive is taken from the packet; the CONNACK deadline is `now + connect_timeout`
    /// (a zero `connect_timeout` means no deadline). For MQTT 5, the Receive Maximum and Topic
    /// Alias Maximum enforced inbound are those of the packet's properties when present,
    /// else those of [`SessionConfig`]. Only allowed while [`ConnState::Disconnected`].
    pub fn connect(
        &mut self,
        packet: Connect<'_>,
        connect_timeout: Duration,
        now: Instant,
    ) -> Result<(), SessionError> {
        if self.state != ConnState::Disconnected {
            return Err(SessionError::NotAllowed(
                "connect while a connection is active: report connection_lost first",
            ));
        }
        let (version, clean_start, keep_alive) =
            (packet.version, packet.clean_start, packet.keep_alive);
        let (mut receive_maximum, mut topic_alias_maximum) = (65535, 0);
        let mut max_incoming = self.config.max_incoming_packet_size;
        if version == ProtocolVersion::V5 {
            if let Some(PropertyValue::FourByte(v)) =
                find_prop(&packet.properties, prop_id::MAXIMUM_PACKET_SIZE)
            {
                max_incoming = max_incoming.min(*v as usize);
            }
            receive_maximum = self.config.receive_maximum;
            topic_alias_maximum = self.config.topic_alias_maximum;
            if let Some(PropertyValue::TwoByte(v)) =
                find_prop(&packet.properties, prop_id::RECEIVE_MAXIMUM)
            {
                receive_maximum = *v;
            }
            if let Some(PropertyValue::TwoByte(v)) =
                find_prop(&packet.properties, prop_id::TOPIC_ALIAS_MAXIMUM)
            {
                topic_alias_maximum = *v;
            }
        }
        let mut bytes = Vec::new();
        encode(&Packet::Connect(packet), version, &mut bytes)?;
        self.reset_connection();
        self.version = version;
        self.clean_start = clean_start;
        if clean_start {
            let dropped = self.discard_durable();
            self.discarded_at_connect.extend(dropped);
        }
        self.receive_maximum = receive_maximum;
        self.topic_alias_maximum = topic_alias_maximum;
        self.max_incoming = max_incoming;
        self.keep_alive = Duration::from_secs(u64::from(keep_alive));
        self.out = bytes;
        self.out_start = 0;
        self.last_sent = Some(now);
        self.last_received = Some(now);
        self.connect_deadline = if connect_timeout.is_zero() {
            None
        } else {
            Some(now + connect_timeout)
        };
        self.state = ConnState::Connecting;
        Ok(())
    }

    /// Publish. QoS 0 returns packet id 0; QoS>0 returns the packet id (the token), chosen at
    /// once. The message is queued for sending now or, beyond the server's Receive Maximum,
    /// later, in order. `msg.packet_id` and `msg.dup` are ignored.
    pub fn publish(&mut self, msg: Publish<'_>, now: Instant) -> Result<u16, SessionError> {
        self.publish_with(msg, None, now)
    }

    /// Take a packet id now for a message the layer above holds back (buffered while
    /// disconnected); it is sent later with [`Session::publish_reserved`] or given back with
    /// [`Session::release_reserved`]. Reserved ids survive a clean start.
    pub fn reserve_id(&mut self) -> Result<u16, SessionError> {
        let id = self
            .ids
            .allocate()
            .ok_or(SessionError::NoPacketIdAvailable)?;
        Ok(id)
    }

    /// Give back an id from [`Session::reserve_id`] that will not be used.
    /// An id in flight (published or a request) is not released.
    pub fn release_reserved(&mut self, id: u16) {
        if !self.out_index.contains_key(&id) && !self.requests.contains_key(&id) {
            self.ids.release(id);
        }
    }

    /// Publish a QoS>0 message under an id from [`Session::reserve_id`]. On error the id
    /// stays reserved.
    pub fn publish_reserved(
        &mut self,
        msg: Publish<'_>,
        id: u16,
        now: Instant,
    ) -> Result<u16, SessionError> {
        self.publish_with(msg, Some(id), now)
    }

    fn publish_with(
        &mut self,
        msg: Publish<'_>,
        reserved: Option<u16>,
        now: Instant,
    ) -> Result<u16, SessionError> {
        let _ = now;
        if self.state != ConnState::Connected {
            return Err(SessionError::NotConnected);
        }
        if msg.qos > self.server.maximum_qos {
            return Err(SessionError::NotAllowed(
                "QoS above the server's Maximum QoS",
            ));
        }
        if msg.retain && !self.server.retain_available {
            return Err(SessionError::NotAllowed(
                "the server does not support retain",
            ));
        }
        let v5 = self.version == ProtocolVersion::V5;
        if v5 {
            if let Some(PropertyValue::TwoByte(alias)) =
                find_prop(&msg.properties, prop_id::TOPIC_ALIAS)
            {
                if *alias == 0 || *alias > self.server.topic_alias_maximum {
                    return Err(SessionError::NotAllowed(
                        "topic alias 0 or above the server's Topic Alias Maximum",
                    ));
                }
            }
        }
        let properties = if v5 {
            msg.properties
        } else {
            Properties::default()
        };
        if msg.qos == QoS::AtMostOnce {
            let p = Publish {
                dup: false,
                packet_id: 0,
                properties,
                ..msg
            };
            encode_limited(
                &Packet::Publish(p),
                self.version,
                self.server.maximum_packet_size,
                &mut self.out,
            )?;
            return Ok(0);
        }
        if self.config.max_inflight > 0 && self.outbound.len() >= self.config.max_inflight {
            return Err(SessionError::TooManyInflight);
        }
        let id = match reserved {
            // Only an id handed out by reserve_id and not used since.
            Some(id)
                if id != 0
                    && self.ids.is_used(id)
                    && !self.out_index.contains_key(&id)
                    && !self.requests.contains_key(&id) =>
            {
                id
            }
            Some(_) => return Err(SessionError::NotAllowed("packet id not reserved")),
            None => self
                .ids
                .peek_free()
                .ok_or(SessionError::NoPacketIdAvailable)?,
        };
        let send_now = self.queue.is_empty() && self.on_wire() < self.quota();
        let state = match (send_now, msg.qos) {
            (false, _) => OutState::Queued,
            (true, QoS::AtLeastOnce) => OutState::AwaitPubAck,
            (true, _) => OutState::AwaitPubRec,
        };
        let m = OutMsg {
            id,
            state,
            sent_before: send_now,
            msg: owned(Publish {
                dup: false,
                packet_id: id,
                properties,
                ..msg
            }),
        };
        // Encoding checks every field and the size even when the message has to wait (then
        // only its headers are written, to a scratch buffer). Sent now, it is encoded
        // straight into the output, a large payload as a hole.
        let max = self.server.maximum_packet_size;
        let hole = if send_now {
            put_publish(
                &m,
                false,
                self.version,
                max,
                &mut self.out,
                self.large_by_reference,
            )?
        } else {
            put_publish(&m, false, self.version, max, &mut Vec::new(), true)?;
            false
        };
        if reserved.is_none() {
            let _ = self.ids.allocate();
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        if !send_now {
            self.queue.insert(seq);
        }
        if hole {
            self.holes.push_back(Hole {
                at: self.out.len(),
                src: HoleSrc::Outbound(seq),
            });
        }
        self.outbound.insert(seq, m);
        self.out_index.insert(id, seq);
        Ok(id)
    }

    /// How many QoS>0 PUBLISHes the server lets us have unacknowledged.
    fn quota(&self) -> usize {
        let server = usize::from(self.server.receive_maximum);
        match self.config.send_window {
            0 => server,
            w => server.min(w),
        }
    }

    /// Subscribe; returns the packet id (token).
    pub fn subscribe(
        &mut self,
        filters: Vec<(String, SubscriptionOptions)>,
        properties: Properties<'_>,
        now: Instant,
    ) -> Result<u16, SessionError> {
        let _ = now;
        if self.state != ConnState::Connected {
            return Err(SessionError::NotConnected);
        }
        let id = self
            .ids
            .peek_free()
            .ok_or(SessionError::NoPacketIdAvailable)?;
        let count = filters.len();
        let packet = Packet::Subscribe(Subscribe {
            packet_id: id,
            properties: self.v5_only(properties),
            filters: filters
                .into_iter()
                .map(|(f, o)| (Cow::Owned(f), o))
                .collect(),
        });
        self.send_request(packet, id, false, count)
    }

    /// Unsubscribe; returns the packet id (token).
    pub fn unsubscribe(
        &mut self,
        filters: Vec<String>,
        properties: Properties<'_>,
        now: Instant,
    ) -> Result<u16, SessionError> {
        let _ = now;
        if self.state != ConnState::Connected {
            return Err(SessionError::NotConnected);
        }
        let id = self
            .ids
            .peek_free()
            .ok_or(SessionError::NoPacketIdAvailable)?;
        let count = filters.len();
        let packet = Packet::Unsubscribe(Unsubscribe {
            packet_id: id,
            properties: self.v5_only(properties),
            filters: filters.into_iter().map(Cow::Owned).collect(),
        });
        self.send_request(packet, id, true, count)
    }

    fn v5_only<'p>(&self, properties: Properties<'p>) -> Properties<'p> {
        if self.version == ProtocolVersion::V5 {
            properties
        } else {
            Properties::default()
        }
    }

    fn send_request(
        &mut self,
        packet: Packet<'_>,
        id: u16,
        unsubscribe: bool,
        filters: usize,
    ) -> Result<u16, SessionError> {
        encode_limited(
            &packet,
            self.version,
            self.server.maximum_packet_size,
            &mut self.out,
        )?;
        let _ = self.ids.allocate();
        self.requests.insert(
            id,
            Request {
                unsubscribe,
                filters,
            },
        );
        Ok(id)
    }

    /// Queue DISCONNECT (reason and properties used for MQTT 5 only) and enter `Disconnecting`.
    /// Does nothing when there is no connection.
    pub fn disconnect(&mut self, reason: u8, properties: Properties<'_>, now: Instant) {
        let _ = now;
        if !matches!(self.state, ConnState::Connecting | ConnState::Connected) {
            return;
        }
        let d = if self.version == ProtocolVersion::V5 {
            Disconnect { reason, properties }
        } else {
            Disconnect {
                reason: 0,
                properties: Properties::default(),
            }
        };
        if encode(&Packet::Disconnect(d), self.version, &mut self.out).is_err() {
            // Bad properties from the caller: still say goodbye, plainly.
            let plain = Disconnect {
                reason,
                properties: Properties::default(),
            };
            let _ = encode(&Packet::Disconnect(plain), self.version, &mut self.out);
        }
        self.state = ConnState::Disconnecting;
        self.ping_sent = None;
        self.connect_deadline = None;
    }

    /// The transport closed or failed. Per-connection state is dropped (pending output,
    /// topic aliases, keepalive); outbound messages in flight, pending PUBRELs and inbound
    /// QoS 2 ids awaiting PUBREL are kept for the next connect unless it starts clean.
    /// Subscribe/unsubscribe requests in flight are failed: their ids are returned.
    pub fn connection_lost(&mut self, now: Instant) -> Vec<u16> {
        let _ = now;
        let mut failed: Vec<u16> = self.requests.drain().map(|(id, _)| id).collect();
        failed.sort_unstable();
        for id in &failed {
            self.ids.release(*id);
        }
        self.reset_connection();
        self.state = ConnState::Disconnected;
        failed
    }

    /// The server broke the protocol: queue a DISCONNECT with `reason` (MQTT 5), stop using
    /// the connection, and return the error for the caller to close the transport.
    fn violation(&mut self, reason: u8, what: impl Into<String>) -> SessionError {
        if self.version == ProtocolVersion::V5
            && matches!(self.state, ConnState::Connecting | ConnState::Connected)
        {
            let d = Disconnect {
                reason,
                properties: Properties::default(),
            };
            let _ = encode(&Packet::Disconnect(d), self.version, &mut self.out);
        }
        self.give_up();
        SessionError::Protocol {
            reason,
            what: what.into(),
        }
    }

    fn give_up(&mut self) {
        self.failed = true;
        if self.state != ConnState::Disconnected {
            self.state = ConnState::Disconnecting;
        }
        self.ping_sent = None;
        self.connect_deadline = None;
    }

    /// The bytes from the server did not decode: for MQTT 5 queue a DISCONNECT with the
    /// error's reason code (0x81 Malformed Packet, 0x95 Packet Too Large, ...), and return the
    /// [`SessionError::Protocol`] to close the connection with.
    pub fn handle_decode_error(&mut self, error: &CodecError, now: Instant) -> SessionError {
        let _ = now;
        let reason = match error {
            // Alias 0 fails in the decoder already; MQTT 5 names it Topic Alias invalid.
            CodecError::BadPropertyValue(prop_id::TOPIC_ALIAS) => 0x94,
            e => e.reason_code(),
        };
        self.violation(reason, error.to_string())
    }

    /// Feed one decoded packet from the server. Returns the application message it carries,
    /// if any and if it is new (a redelivered QoS 2 message already delivered is not returned
    /// again), with topic aliases resolved. Acknowledgements are queued in the output.
    ///
    /// Packets arriving after the session gave up on the connection (protocol error,
    /// timeout) or while disconnected are ignored.
    pub fn handle_packet<'a>(
        &mut self,
        packet: crate::protocol::Packet<'a>,
        now: Instant,
    ) -> Result<Option<Publish<'a>>, SessionError> {
        if self.failed || self.state == ConnState::Disconnected {
            return Ok(None);
        }
        self.last_received = Some(now);
        // After our DISCONNECT nothing more may be written on this connection: the packet
        // still updates the state (a PUBREC moves its message on to PUBREL), and whatever
        // answer it needs goes out after the reconnect instead (PUBREL resend, or the server
        // resending its PUBLISH).
        let said_goodbye = self.state == ConnState::Disconnecting;
        let mark = self.out.len();
        let result = self.dispatch(packet);
        if said_goodbye {
            self.out.truncate(mark);
            // Holes made since the mark follow headers written after it.
            while self.holes.back().is_some_and(|h| h.at > mark) {
                self.holes.pop_back();
            }
        }
        result
    }

    fn dispatch<'a>(&mut self, packet: Packet<'a>) -> Result<Option<Publish<'a>>, SessionError> {
        let v5 = self.version == ProtocolVersion::V5;
        if self.state == ConnState::Connecting
            && !matches!(
                packet,
                Packet::ConnAck(_) | Packet::Auth(_) | Packet::Disconnect(_)
            )
        {
            return Err(self.violation(0x82, format!("{} before CONNACK", packet.name())));
        }
        match packet {
            Packet::ConnAck(c) => self.on_connack(c).map(|_| None),
            Packet::Publish(p) => self.on_publish(p),
            Packet::PubAck(a) => self.on_puback(a).map(|_| None),
            Packet::PubRec(a) => self.on_pubrec(a).map(|_| None),
            Packet::PubRel(a) => self.on_pubrel(a).map(|_| None),
            Packet::PubComp(a) => self.on_pubcomp(a).map(|_| None),
            Packet::SubAck(s) => self.on_ack_of_request(s, false).map(|_| None),
            Packet::UnsubAck(s) => self.on_ack_of_request(s, true).map(|_| None),
            Packet::PingResp => {
                self.ping_sent = None;
                Ok(None)
            }
            Packet::Disconnect(d) if v5 => {
                self.events.push_back(Event::ServerDisconnect {
                    reason: d.reason,
                    properties: d.properties.into_owned(),
                });
                // The server closes the connection next; nothing more is sent on it.
                self.state = ConnState::Disconnecting;
                self.failed = true;
                self.ping_sent = None;
                self.connect_deadline = None;
                Ok(None)
            }
            Packet::Auth(a) if v5 => {
                self.events.push_back(Event::Auth {
                    reason: a.reason,
                    properties: a.properties.into_owned(),
                });
                Ok(None)
            }
            other => Err(self.violation(0x82, format!("{} is not sent to a client", other.name()))),
        }
    }

    fn on_connack(&mut self, c: ConnAck<'_>) -> Result<(), SessionError> {
        match self.state {
            ConnState::Connecting => {}
            // We said goodbye before the answer came: nothing to do with it.
            ConnState::Disconnecting => return Ok(()),
            _ => return Err(self.violation(0x82, "second CONNACK")),
        }
        let v5 = self.version == ProtocolVersion::V5;
        if c.code != 0 {
            self.events.push_back(Event::ConnectRefused {
                code: c.code,
                properties: c.properties.into_owned(),
            });
            self.give_up();
            return Ok(());
        }
        if c.session_present && self.clean_start {
            return Err(self.violation(0x82, "session present in answer to a clean start"));
        }
        let mut limits = ServerLimits::default();
        let mut keep_alive = self.keep_alive;
        if v5 {
            for p in &c.properties.0 {
                match (p.id, &p.value) {
                    (prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(v)) => {
                        if *v == 0 {
                            return Err(self.violation(0x82, "Receive Maximum 0 in CONNACK"));
                        }
                        limits.receive_maximum = *v;
                    }
                    (prop_id::MAXIMUM_QOS, PropertyValue::Byte(v)) => {
                        limits.maximum_qos = match QoS::from_u8(*v) {
                            Some(q) if q != QoS::ExactlyOnce => q,
                            _ => return Err(self.violation(0x82, "Maximum QoS other than 0 or 1")),
                        };
                    }
                    (prop_id::RETAIN_AVAILABLE, PropertyValue::Byte(v)) => {
                        limits.retain_available = *v != 0;
                    }
                    (prop_id::MAXIMUM_PACKET_SIZE, PropertyValue::FourByte(v)) => {
                        if *v == 0 {
                            return Err(self.violation(0x82, "Maximum Packet Size 0"));
                        }
                        limits.maximum_packet_size = Some(*v);
                    }
                    (prop_id::TOPIC_ALIAS_MAXIMUM, PropertyValue::TwoByte(v)) => {
                        limits.topic_alias_maximum = *v;
                    }
                    (prop_id::SERVER_KEEP_ALIVE, PropertyValue::TwoByte(v)) => {
                        keep_alive = Duration::from_secs(u64::from(*v));
                    }
                    (prop_id::ASSIGNED_CLIENT_IDENTIFIER, PropertyValue::Utf8(s)) => {
                        self.assigned_client_id = Some(s.to_string());
                    }
                    _ => {}
                }
            }
        }
        self.server = limits;
        self.keep_alive = keep_alive;
        self.connect_deadline = None;
        self.state = ConnState::Connected;
        let mut discarded = std::mem::take(&mut self.discarded_at_connect);
        if c.session_present {
            self.resend_after_reconnect();
        } else if self.clean_start {
            // Discarded when the CONNECT was queued; nothing durable has come since.
        } else if self.config.resend_without_session {
            // The server lost our session (or never had it): it will not send the PUBREL
            // of inbound flows it forgot, and may reuse their ids for new messages; our
            // unacknowledged messages go again, to it new ones, rather than being lost.
            self.forget_inbound_qos2();
            self.resend_after_reconnect();
        } else {
            discarded.extend(self.discard_durable());
        }
        self.events.push_back(Event::Connected {
            session_present: c.session_present,
            properties: c.properties.into_owned(),
            discarded,
        });
        Ok(())
    }

    /// The server kept our session: send again, in the order of publication, every PUBLISH
    /// not acknowledged (DUP=1 if it went out before) and every PUBREL awaiting PUBCOMP,
    /// PUBLISHes only as far as the server's Receive Maximum allows.
    fn resend_after_reconnect(&mut self) {
        let seqs: Vec<u64> = self.outbound.keys().copied().collect();
        let mut blocked = false;
        for seq in seqs {
            let Some(m) = self.outbound.get(&seq) else {
                continue;
            };
            match m.state {
                OutState::AwaitPubComp => {
                    let _ = encode(&Packet::PubRel(ack(m.id, 0)), self.version, &mut self.out);
                }
                OutState::Queued => {
                    if blocked || self.on_wire() >= self.quota() {
                        blocked = true;
                        continue;
                    }
                    self.send_queued(seq);
                }
                // Not possible after reset_connection; nothing to resend if it were.
                OutState::AwaitPubAck | OutState::AwaitPubRec => {}
            }
        }
    }

    /// Put the queued message `seq` on the wire. A message that no longer fits the server's
    /// Maximum Packet Size (or no longer encodes) is completed with a failure reason instead,
    /// as MQTT 5 says a client does with a packet too large to send.
    fn send_queued(&mut self, seq: u64) {
        let Some(m) = self.outbound.get(&seq) else {
            return;
        };
        let dup = m.sent_before;
        let sent = put_publish(
            m,
            dup,
            self.version,
            self.server.maximum_packet_size,
            &mut self.out,
            self.large_by_reference,
        );
        self.queue.remove(&seq);
        match sent {
            Ok(hole) => {
                if hole {
                    self.holes.push_back(Hole {
                        at: self.out.len(),
                        src: HoleSrc::Outbound(seq),
                    });
                }
                if let Some(m) = self.outbound.get_mut(&seq) {
                    m.sent_before = true;
                    m.state = if m.msg.qos == QoS::AtLeastOnce {
                        OutState::AwaitPubAck
                    } else {
                        OutState::AwaitPubRec
                    };
                }
            }
            Err(e) => {
                let reason = match e {
                    SessionError::Codec(c) => c.reason_code(),
                    _ => 0x95,
                };
                self.complete(seq, reason, Properties::default());
            }
        }
    }

    /// Send queued messages while the server's Receive Maximum allows.
    fn flush_queue(&mut self) {
        if self.state != ConnState::Connected {
            return;
        }
        while self.on_wire() < self.quota() {
            let Some(&seq) = self.queue.iter().next() else {
                break;
            };
            self.send_queued(seq);
        }
    }

    /// The flow of outbound message `seq` ended: free its id and tell the application.
    fn complete(&mut self, seq: u64, reason: u8, properties: Properties<'static>) {
        self.detach_holes(|s| s == seq);
        if let Some(m) = self.outbound.remove(&seq) {
            self.record(DurableChange::Completed {
                id: m.id,
                released: m.state == OutState::AwaitPubComp,
            });
            self.queue.remove(&seq);
            self.out_index.remove(&m.id);
            self.ids.release(m.id);
            self.events.push_back(Event::PublishComplete {
                packet_id: m.id,
                reason,
                properties,
                message: Box::new(Returned(m.msg)),
            });
        }
    }

    /// The outbound message with `id` if the server may acknowledge it now with a packet
    /// expecting one of `states`.
    fn outbound_in(&self, id: u16, states: &[OutState]) -> Option<u64> {
        let seq = *self.out_index.get(&id)?;
        let m = self.outbound.get(&seq)?;
        states.contains(&m.state).then_some(seq)
    }

    fn on_puback(&mut self, a: Ack<'_>) -> Result<(), SessionError> {
        let Some(seq) = self.outbound_in(a.packet_id, &[OutState::AwaitPubAck]) else {
            return Err(self.violation(
                0x82,
                format!("PUBACK for {} which awaits no PUBACK", a.packet_id),
            ));
        };
        self.complete(seq, a.reason, a.properties.into_owned());
        self.flush_queue();
        Ok(())
    }

    fn on_pubrec(&mut self, a: Ack<'_>) -> Result<(), SessionError> {
        let states = [OutState::AwaitPubRec, OutState::AwaitPubComp];
        let Some(seq) = self.outbound_in(a.packet_id, &states) else {
            return Err(self.violation(
                0x82,
                format!("PUBREC for {} which awaits no PUBREC", a.packet_id),
            ));
        };
        if self.version == ProtocolVersion::V5 && a.reason >= 0x80 {
            // The server refused the message: the flow ends here, without PUBREL.
            self.complete(seq, a.reason, a.properties.into_owned());
            self.flush_queue();
            return Ok(());
        }
        if let Some(m) = self.outbound.get_mut(&seq) {
            if m.state != OutState::AwaitPubComp {
                m.state = OutState::AwaitPubComp;
                self.record(DurableChange::Released(a.packet_id));
            }
        }
        // A repeated PUBREC (the server did not see our PUBREL) is answered again.
        encode(
            &Packet::PubRel(ack(a.packet_id, 0)),
            self.version,
            &mut self.out,
        )?;
        Ok(())
    }

    fn on_pubcomp(&mut self, a: Ack<'_>) -> Result<(), SessionError> {
        let Some(seq) = self.outbound_in(a.packet_id, &[OutState::AwaitPubComp]) else {
            return Err(self.violation(
                0x82,
                format!("PUBCOMP for {} which awaits no PUBCOMP", a.packet_id),
            ));
        };
        self.complete(seq, a.reason, a.properties.into_owned());
        self.flush_queue();
        Ok(())
    }

    fn on_pubrel(&mut self, a: Ack<'_>) -> Result<(), SessionError> {
        // An unknown id is answered too (MQTT 5 with 0x92 Packet Identifier not found): the
        // server may resend PUBREL after a reconnect for a flow we already finished.
        let reason = match self.inbound_qos2.remove(&a.packet_id) {
            Some(this_conn) => {
                self.record(DurableChange::ReceiveDone(a.packet_id));
                if this_conn {
                    self.inbound_this_conn = self.inbound_this_conn.saturating_sub(1);
                }
                0
            }
            None if self.version == ProtocolVersion::V5 => 0x92,
            None => 0,
        };
        encode(
            &Packet::PubComp(ack(a.packet_id, reason)),
            self.version,
            &mut self.out,
        )?;
        Ok(())
    }

    fn on_ack_of_request(&mut self, s: SubAck<'_>, unsubscribe: bool) -> Result<(), SessionError> {
        let name = if unsubscribe { "UNSUBACK" } else { "SUBACK" };
        let req = match self.requests.get(&s.packet_id) {
            Some(r) if r.unsubscribe == unsubscribe => *r,
            _ => {
                return Err(self.violation(
                    0x82,
                    format!("{name} for {} which awaits none", s.packet_id),
                ))
            }
        };
        // MQTT 3.x UNSUBACK carries no codes; everything else one per filter.
        let expected = if unsubscribe && self.version != ProtocolVersion::V5 {
            0
        } else {
            req.filters
        };
        if s.codes.len() != expected {
            return Err(self.violation(
                0x82,
                format!(
                    "{name} with {} codes for {} filters",
                    s.codes.len(),
                    req.filters
                ),
            ));
        }
        idmap::remove_and_release(&mut self.requests, &s.packet_id);
        self.ids.release(s.packet_id);
        let properties = s.properties.into_owned();
        self.events.push_back(if unsubscribe {
            Event::UnsubAck {
                packet_id: s.packet_id,
                codes: s.codes,
                properties,
            }
        } else {
            Event::SubAck {
                packet_id: s.packet_id,
                codes: s.codes,
                properties,
            }
        });
        Ok(())
    }

    fn on_publish<'a>(&mut self, mut p: Publish<'a>) -> Result<Option<Publish<'a>>, SessionError> {
        let v5 = self.version == ProtocolVersion::V5;
        if p.qos == QoS::AtMostOnce && p.dup {
            return Err(self.violation(0x81, "DUP set on a QoS 0 PUBLISH"));
        }
        if p.qos != QoS::AtMostOnce && p.packet_id == 0 {
            return Err(self.violation(0x81, "PUBLISH with QoS>0 and packet id 0"));
        }
        // Topic alias: check everything before remembering anything.
        let alias = if v5 {
            match find_prop(&p.properties, prop_id::TOPIC_ALIAS) {
                Some(PropertyValue::TwoByte(a)) => Some(*a),
                Some(_) => return Err(self.violation(0x81, "Topic Alias of the wrong type")),
                None => None,
            }
        } else {
            None
        };
        if let Some(a) = alias {
            if a == 0 || a > self.topic_alias_maximum {
                return Err(self.violation(
                    0x94,
                    format!("topic alias {a} outside 1..={}", self.topic_alias_maximum),
                ));
            }
            if p.topic.is_empty() && !self.aliases.contains_key(&a) {
                return Err(self.violation(0x94, format!("unknown topic alias {a}")));
            }
        } else if p.topic.is_empty() {
            return Err(self.violation(0x82, "PUBLISH with an empty topic and no alias"));
        }
        let duplicate_qos2 =
            p.qos == QoS::ExactlyOnce && self.inbound_qos2.contains_key(&p.packet_id);
        if p.qos != QoS::AtMostOnce && !duplicate_qos2 {
            let awaiting = self.inbound_this_conn;
            if awaiting >= usize::from(self.receive_maximum) {
                return Err(self.violation(
                    0x93,
                    format!(
                        "more than Receive Maximum {} QoS>0 publishes unacknowledged",
                        self.receive_maximum
                    ),
                ));
            }
        }
        if let Some(a) = alias {
            if p.topic.is_empty() {
                if let Some(t) = self.aliases.get(&a) {
                    p.topic = Cow::Owned(t.clone());
                }
            } else {
                self.aliases.insert(a, p.topic.to_string());
            }
        }
        match p.qos {
            QoS::AtMostOnce => Ok(Some(p)),
            QoS::AtLeastOnce => {
                encode(
                    &Packet::PubAck(ack(p.packet_id, 0)),
                    self.version,
                    &mut self.out,
                )?;
                Ok(Some(p))
            }
            QoS::ExactlyOnce => {
                encode(
                    &Packet::PubRec(ack(p.packet_id, 0)),
                    self.version,
                    &mut self.out,
                )?;
                if duplicate_qos2 {
                    // Already delivered: acknowledge again, do not deliver twice.
                    Ok(None)
                } else {
                    self.inbound_qos2.insert(p.packet_id, true);
                    self.record(DurableChange::Received(p.packet_id));
                    self.inbound_this_conn += 1;
                    Ok(Some(p))
                }
            }
        }
    }

    /// Time has passed: send PINGREQ when due, or report [`SessionError::Timeout`] when a
    /// PINGRESP or the CONNACK did not arrive in time.
    ///
    /// Keepalive follows what Debian's libpaho-mqtt 1.3.11 was seen doing against mosquitto
    /// and a fake broker on loopback (MQTTClient, MQTT 3.1.1 and 5, keepalive 2, 3, 6 and 10 s):
    /// - idle, it sent PINGREQ every keepalive interval;
    /// - publishing QoS 0 every second with nothing coming back, it still sent PINGREQ every
    ///   keepalive interval: the ping is due when nothing was sent *or* nothing was received
    ///   for the interval (so here: at min(last sent, last received) + keepalive);
    /// - with a broker that never answers PINGREQ, it sent no second PINGREQ and gave up
    ///   1.5 intervals after the PINGREQ (2 s: 3.0 s later; 6 s: 9.0 s; 10 s: 15.0 s), and
    ///   it wrote a DISCONNECT (`e0 00`, for MQTT 5 too) before closing. We do the same.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), SessionError> {
        if self.failed {
            return Ok(());
        }
        match self.state {
            ConnState::Connecting if self.connect_deadline.is_some_and(|d| now >= d) => {
                self.give_up();
                return Err(SessionError::Timeout);
            }
            ConnState::Connected if !self.keep_alive.is_zero() => {
                if let Some(sent) = self.ping_sent {
                    if now >= sent + ping_timeout(self.keep_alive) {
                        let d = Disconnect {
                            reason: 0,
                            properties: Properties::default(),
                        };
                        let _ = encode(&Packet::Disconnect(d), self.version, &mut self.out);
                        self.give_up();
                        return Err(SessionError::Timeout);
                    }
                } else if self.ping_due().is_some_and(|due| now >= due) {
                    encode(&Packet::PingReq, self.version, &mut self.out)?;
                    self.ping_sent = Some(now);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn ping_due(&self) -> Option<Instant> {
        let last = match (self.last_sent, self.last_received) {
            (Some(s), Some(r)) => s.min(r),
            (s, r) => s.or(r)?,
        };
        Some(last + self.keep_alive)
    }

    /// When [`Session::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.failed {
            return None;
        }
        match self.state {
            ConnState::Connecting => self.connect_deadline,
            ConnState::Connected if !self.keep_alive.is_zero() => match self.ping_sent {
                Some(sent) => Some(sent + ping_timeout(self.keep_alive)),
                None => self.ping_due(),
            },
            _ => None,
        }
    }

    /// Bytes waiting to be written to the transport.
    ///
    /// A large payload comes as a piece of its own (see [`Hole`]): write, consume, and ask
    /// again until this is empty.
    pub fn pending_output(&self) -> &[u8] {
        match self.holes.front() {
            Some(h) if self.out_start == h.at => &self.hole_bytes(h)[self.hole_off..],
            Some(h) => &self.out[self.out_start..h.at],
            None => &self.out[self.out_start..],
        }
    }

    fn hole_bytes<'a>(&'a self, h: &'a Hole) -> &'a [u8] {
        match &h.src {
            HoleSrc::Outbound(seq) => self.outbound.get(seq).map_or(&[], |m| &m.msg.payload),
            HoleSrc::Owned(v) => v,
        }
    }

    /// The outbound messages whose `seq` is `leaving` leave the session: a hole still to be
    /// written from one's payload gets a copy of it, so that the PUBLISH on the wire is
    /// finished whole.
    fn detach_holes(&mut self, leaving: impl Fn(u64) -> bool) {
        for h in self.holes.iter_mut() {
            if let HoleSrc::Outbound(seq) = h.src {
                if let Some(m) = self.outbound.get(&seq).filter(|_| leaving(seq)) {
                    h.src = HoleSrc::Owned(m.msg.payload.to_vec());
                }
            }
        }
    }

    /// Whether large payloads may be written from where they are kept rather than copied
    /// into the output behind their headers (the protocol trace reads the output as whole
    /// packets, so it turns this off).
    pub fn set_large_by_reference(&mut self, on: bool) {
        self.large_by_reference = on;
    }

    /// Whether the output has a large payload written by reference in it.
    pub fn has_holes(&self) -> bool {
        !self.holes.is_empty()
    }

    /// `n` bytes of [`Session::pending_output`] (or of the pieces of
    /// [`Session::pending_output_vectored`], in order) were written; `now` is when (keepalive).
    pub fn consume_output(&mut self, n: usize, now: Instant) {
        let mut left = n;
        while left > 0 {
            let piece = self.pending_output().len();
            if piece == 0 {
                break;
            }
            let k = left.min(piece);
            left -= k;
            match self.holes.front() {
                Some(h) if self.out_start == h.at => {
                    self.hole_off += k;
                    if self.hole_off >= self.hole_bytes(h).len() {
                        self.holes.pop_front();
                        self.hole_off = 0;
                    }
                }
                _ => self.out_start += k,
            }
            if self.out_start == self.out.len() && self.holes.is_empty() {
                // A buffer grown by large messages is kept while more may follow (see
                // `release_idle_buffers`): a fresh one for each would be page-faulted in
                // again, which cost more than copying the message into it.
                self.out.clear();
                self.out_start = 0;
            }
            self.last_sent = Some(now);
        }
    }

    /// The pending output as up to `bufs.len()` pieces, for one vectored write (the headers
    /// of a large PUBLISH and its payload together); returns how many were filled.
    pub fn pending_output_vectored<'a>(&'a self, bufs: &mut [std::io::IoSlice<'a>]) -> usize {
        let mut n = 0;
        let mut start = self.out_start;
        let mut off = self.hole_off;
        for h in &self.holes {
            if n == bufs.len() {
                return n;
            }
            if start < h.at {
                bufs[n] = std::io::IoSlice::new(&self.out[start..h.at]);
                n += 1;
                if n == bufs.len() {
                    return n;
                }
            }
            bufs[n] = std::io::IoSlice::new(&self.hole_bytes(h)[off..]);
            n += 1;
            start = h.at;
            off = 0;
        }
        if n < bufs.len() && start < self.out.len() {
            bufs[n] = std::io::IoSlice::new(&self.out[start..]);
            n += 1;
        }
        n
    }

    /// Nothing is in flight: give back an output buffer that large messages grew, and the
    /// event queue's buffer once drained (each of 10,000 idle clients kept ~400 bytes in it).
    /// Not done on every drain: a stream would reallocate it at every round.
    pub fn release_idle_buffers(&mut self) {
        if self.out_start == self.out.len()
            && self.holes.is_empty()
            && self.out.capacity() > 1 << 20
        {
            self.out = Vec::new();
            self.out_start = 0;
        }
        if self.events.is_empty() && self.events.capacity() > 0 {
            self.events = VecDeque::new();
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Packet ids of outbound publishes not yet complete, in the order they were published.
    pub fn pending_publish_ids(&self) -> Vec<u16> {
        self.outbound.values().map(|m| m.id).collect()
    }

    /// The durable state (outbound in flight with id, QoS state, message; inbound QoS 2 ids
    /// awaiting PUBREL) as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        snapshot::write(self)
    }

    /// Replace the durable state with one from [`Session::snapshot`]; garbage is an error
    /// ([`SessionError::Snapshot`]) and leaves the session unchanged. Only while disconnected.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        if self.state != ConnState::Disconnected {
            return Err(SessionError::NotAllowed("restore while connected"));
        }
        let durable = snapshot::read(bytes)?;
        // Ids reserved by the layer above stay reserved; a snapshot that needs one is refused.
        if durable
            .outbound
            .iter()
            .any(|m| self.ids.is_used(m.id) && !self.out_index.contains_key(&m.id))
        {
            return Err(SessionError::NotAllowed(
                "a packet id of the snapshot is reserved",
            ));
        }
        self.discard_durable();
        self.version = durable.version;
        self.ids.set_last(durable.last_id);
        for m in durable.outbound {
            self.insert_durable(m);
        }
        for id in durable.inbound_qos2 {
            self.inbound_qos2.insert(id, false);
        }
        Ok(())
    }

    /// Take in an outbound message read back from a snapshot or a store, after those already
    /// held (its id must be free).
    fn insert_durable(&mut self, m: OutMsg) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.ids.take(m.id);
        if m.state == OutState::Queued {
            self.queue.insert(seq);
        }
        self.out_index.insert(m.id, seq);
        self.outbound.insert(seq, m);
    }

    /// Record durable changes for a store from now on (or stop, dropping those not taken).
    pub fn set_journal(&mut self, on: bool) {
        self.journal = if on { Some(Vec::new()) } else { None };
    }

    /// The durable changes since the last call, oldest first.
    pub fn take_journal(&mut self) -> Vec<DurableChange> {
        self.journal
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Whether durable changes wait in the journal.
    pub fn journal_pending(&self) -> bool {
        self.journal.as_ref().is_some_and(|j| !j.is_empty())
    }

    fn record(&mut self, change: DurableChange) {
        if let Some(j) = self.journal.as_mut() {
            j.push(change);
        }
    }

    /// Take `id` for a message buffered by the layer above and read back from a store (as
    /// [`Session::reserve_id`] does for a new one). False if the id is in use.
    pub fn reserve_specific(&mut self, id: u16) -> bool {
        if id == 0 || self.ids.is_used(id) {
            return false;
        }
        self.ids.take(id);
        true
    }

    /// Add outbound messages and inbound QoS 2 ids read back from a store, as unacknowledged
    /// (their PUBLISH goes again with DUP=1, or only their PUBREL, after a reconnect with the
    /// session kept), in the order given. Only while disconnected; entries whose id is
    /// already in use are skipped and returned.
    pub fn restore_parts(
        &mut self,
        version: ProtocolVersion,
        outbound: Vec<RestoredPublish>,
        inbound_qos2: Vec<u16>,
    ) -> Result<Vec<u16>, SessionError> {
        if self.state != ConnState::Disconnected {
            return Err(SessionError::NotAllowed("restore while connected"));
        }
        self.version = version;
        let mut skipped = Vec::new();
        for r in outbound {
            let id = r.msg.packet_id;
            if r.msg.qos == QoS::AtMostOnce || id == 0 || self.ids.is_used(id) {
                skipped.push(id);
                continue;
            }
            let state = match (r.msg.qos, r.released) {
                (QoS::AtLeastOnce, _) => OutState::AwaitPubAck,
                (_, false) => OutState::AwaitPubRec,
                (_, true) => OutState::AwaitPubComp,
            };
            self.insert_durable(OutMsg {
                id,
                state,
                sent_before: true,
                msg: Publish {
                    dup: false,
                    ..r.msg
                },
            });
        }
        for id in inbound_qos2 {
            if id != 0 {
                self.inbound_qos2.insert(id, false);
            }
        }
        Ok(skipped)
    }

    /// QoS of `QoS` helper kept for callers that hold raw integers.
    pub fn qos_from(v: i32) -> Option<QoS> {
        u8::try_from(v).ok().and_then(QoS::from_u8)
    }
}
