//! Sans-IO MQTT session: the client side of the protocol state machine.
//!
//! Driven only by its inputs: decoded packets ([`Session::handle_packet`]), user commands
//! ([`Session::connect`], [`Session::publish`], ...), and the current time passed in as `now`.
//! Its outputs: bytes to write ([`Session::pending_output`]), events ([`Session::poll_event`])
//! and the next deadline ([`Session::poll_timeout`]). No socket, clock or thread in here.

use std::time::{Duration, Instant};

use crate::protocol::{
    CodecError, Connect, Properties, ProtocolVersion, Publish, QoS, SubscriptionOptions,
};

/// Settings fixed for the life of a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Largest packet we accept from the server (bytes, whole packet). Also announced as
    /// Maximum Packet Size in MQTT 5 CONNECT by the client layer if it wishes.
    pub max_incoming_packet_size: usize,
    /// Paho's `maxInflightMessages`: at most this many outbound QoS>0 publishes in flight at
    /// once; one more is refused with [`SessionError::TooManyInflight`]. 0 = no limit of our own.
    pub max_inflight: usize,
    /// Our Receive Maximum (MQTT 5): more inbound QoS>0 publishes awaiting our acknowledgement
    /// than this is a protocol error (DISCONNECT 0x93). 65535 when not announced.
    pub receive_maximum: u16,
    /// Topic Alias Maximum we announced (MQTT 5); inbound aliases above it are a protocol error.
    pub topic_alias_maximum: u16,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_incoming_packet_size: 268_435_460,
            max_inflight: 0,
            receive_maximum: 65535,
            topic_alias_maximum: 0,
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
}

impl From<CodecError> for SessionError {
    fn from(e: CodecError) -> Self {
        SessionError::Codec(e)
    }
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

/// Something that happened which the layer above must learn of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// CONNACK accepted the connection. Unacknowledged messages have been queued for resend
    /// (session present) or discarded (no session present; see `discarded`).
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

/// The session's state. See the module documentation.
#[derive(Debug)]
pub struct Session {
    _private: (),
}

impl Session {
    /// A new session, disconnected, with no state.
    pub fn new(config: SessionConfig) -> Self {
        let _ = config;
        todo!("session")
    }

    /// The protocol version of the current (or last) connection.
    pub fn version(&self) -> ProtocolVersion {
        todo!("session")
    }

    /// The connection state.
    pub fn state(&self) -> ConnState {
        todo!("session")
    }

    /// A transport is up: queue CONNECT. With `clean_start` the durable state is discarded now.
    /// Keepalive is taken from the packet; the CONNACK deadline is `now + connect_timeout`.
    pub fn connect(
        &mut self,
        packet: Connect<'_>,
        connect_timeout: Duration,
        now: Instant,
    ) -> Result<(), SessionError> {
        let _ = (packet, connect_timeout, now);
        todo!("session")
    }

    /// Publish. QoS 0 returns packet id 0; QoS>0 returns the packet id (the token), chosen at
    /// once. The message is queued for sending now or, beyond the server's Receive Maximum,
    /// later, in order. `msg.packet_id` and `msg.dup` are ignored.
    pub fn publish(&mut self, msg: Publish<'_>, now: Instant) -> Result<u16, SessionError> {
        let _ = (msg, now);
        todo!("session")
    }

    /// Subscribe; returns the packet id (token).
    pub fn subscribe(
        &mut self,
        filters: Vec<(String, SubscriptionOptions)>,
        properties: Properties<'_>,
        now: Instant,
    ) -> Result<u16, SessionError> {
        let _ = (filters, properties, now);
        todo!("session")
    }

    /// Unsubscribe; returns the packet id (token).
    pub fn unsubscribe(
        &mut self,
        filters: Vec<String>,
        properties: Properties<'_>,
        now: Instant,
    ) -> Result<u16, SessionError> {
        let _ = (filters, properties, now);
        todo!("session")
    }

    /// Queue DISCONNECT (reason and properties used for MQTT 5 only) and enter `Disconnecting`.
    pub fn disconnect(&mut self, reason: u8, properties: Properties<'_>, now: Instant) {
        let _ = (reason, properties, now);
        todo!("session")
    }

    /// The transport closed or failed. Per-connection state is dropped (pending output,
    /// topic aliases, keepalive); outbound messages in flight, pending PUBRELs and inbound
    /// QoS 2 ids awaiting PUBREL are kept for the next connect unless it starts clean.
    /// Subscribe/unsubscribe requests in flight are failed: their ids are returned.
    pub fn connection_lost(&mut self, now: Instant) -> Vec<u16> {
        let _ = now;
        todo!("session")
    }

    /// Feed one decoded packet from the server. Returns the application message it carries,
    /// if any and if it is new (a redelivered QoS 2 message already delivered is not returned
    /// again), with topic aliases resolved. Acknowledgements are queued in the output.
    pub fn handle_packet<'a>(
        &mut self,
        packet: crate::protocol::Packet<'a>,
        now: Instant,
    ) -> Result<Option<Publish<'a>>, SessionError> {
        let _ = (packet, now);
        todo!("session")
    }

    /// Time has passed: send PINGREQ when due, or report [`SessionError::Timeout`] when a
    /// PINGRESP or the CONNACK did not arrive in time.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), SessionError> {
        let _ = now;
        todo!("session")
    }

    /// When [`Session::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        todo!("session")
    }

    /// Bytes waiting to be written to the transport.
    pub fn pending_output(&self) -> &[u8] {
        todo!("session")
    }

    /// `n` bytes of [`Session::pending_output`] were written; `now` is when (keepalive).
    pub fn consume_output(&mut self, n: usize, now: Instant) {
        let _ = (n, now);
        todo!("session")
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        todo!("session")
    }

    /// Packet ids of outbound publishes not yet complete, in the order they were published.
    pub fn pending_publish_ids(&self) -> Vec<u16> {
        todo!("session")
    }

    /// The durable state (outbound in flight with id, QoS state, message; inbound QoS 2 ids
    /// awaiting PUBREL) as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        todo!("session")
    }

    /// Replace the durable state with one from [`Session::snapshot`]; garbage is an error.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        let _ = bytes;
        todo!("session")
    }

    /// QoS of `QoS` helper kept for callers that hold raw integers.
    pub fn qos_from(v: i32) -> Option<QoS> {
        u8::try_from(v).ok().and_then(QoS::from_u8)
    }
}
