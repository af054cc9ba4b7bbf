//! The packet model shared by the codec, the session and the client.
//!
//! Packets borrow their large fields (topic, payload, binary properties) through `Cow`, so
//! the decoder can hand out views into the receive buffer without copying, while the
//! session and the client can build owned packets for sending and storing.

use std::borrow::Cow;

/// The protocol level carried in CONNECT: 3 = MQTT 3.1 (`MQIsdp`), 4 = 3.1.1, 5 = 5.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolVersion {
    /// MQTT 3.1, protocol name `MQIsdp`, level 3.
    V31 = 3,
    /// MQTT 3.1.1, protocol name `MQTT`, level 4.
    V311 = 4,
    /// MQTT 5.0, protocol name `MQTT`, level 5.
    V5 = 5,
}

impl ProtocolVersion {
    /// The version for a protocol level byte, if it is one we speak.
    pub fn from_level(level: u8) -> Option<Self> {
        match level {
            3 => Some(Self::V31),
            4 => Some(Self::V311),
            5 => Some(Self::V5),
            _ => None,
        }
    }
}

/// Quality of service of a PUBLISH or a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QoS {
    /// Fire and forget.
    AtMostOnce = 0,
    /// Acknowledged with PUBACK; may arrive more than once.
    AtLeastOnce = 1,
    /// Four-way handshake; arrives exactly once.
    ExactlyOnce = 2,
}

impl QoS {
    /// The QoS for a two-bit value; 3 is not a QoS.
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::AtMostOnce),
            1 => Some(Self::AtLeastOnce),
            2 => Some(Self::ExactlyOnce),
            _ => None,
        }
    }
}

/// Identifiers of MQTT 5 properties (section 2.2.2.2 of the 5.0 specification).
#[allow(missing_docs)]
pub mod prop_id {
    pub const PAYLOAD_FORMAT_INDICATOR: u8 = 0x01;
    pub const MESSAGE_EXPIRY_INTERVAL: u8 = 0x02;
    pub const CONTENT_TYPE: u8 = 0x03;
    pub const RESPONSE_TOPIC: u8 = 0x08;
    pub const CORRELATION_DATA: u8 = 0x09;
    pub const SUBSCRIPTION_IDENTIFIER: u8 = 0x0B;
    pub const SESSION_EXPIRY_INTERVAL: u8 = 0x11;
    pub const ASSIGNED_CLIENT_IDENTIFIER: u8 = 0x12;
    pub const SERVER_KEEP_ALIVE: u8 = 0x13;
    pub const AUTHENTICATION_METHOD: u8 = 0x15;
    pub const AUTHENTICATION_DATA: u8 = 0x16;
    pub const REQUEST_PROBLEM_INFORMATION: u8 = 0x17;
    pub const WILL_DELAY_INTERVAL: u8 = 0x18;
    pub const REQUEST_RESPONSE_INFORMATION: u8 = 0x19;
    pub const RESPONSE_INFORMATION: u8 = 0x1A;
    pub const SERVER_REFERENCE: u8 = 0x1C;
    pub const REASON_STRING: u8 = 0x1F;
    pub const RECEIVE_MAXIMUM: u8 = 0x21;
    pub const TOPIC_ALIAS_MAXIMUM: u8 = 0x22;
    pub const TOPIC_ALIAS: u8 = 0x23;
    pub const MAXIMUM_QOS: u8 = 0x24;
    pub const RETAIN_AVAILABLE: u8 = 0x25;
    pub const USER_PROPERTY: u8 = 0x26;
    pub const MAXIMUM_PACKET_SIZE: u8 = 0x27;
    pub const WILDCARD_SUBSCRIPTION_AVAILABLE: u8 = 0x28;
    pub const SUBSCRIPTION_IDENTIFIERS_AVAILABLE: u8 = 0x29;
    pub const SHARED_SUBSCRIPTION_AVAILABLE: u8 = 0x2A;
}

/// The wire type of a property value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    /// One byte.
    Byte,
    /// Big-endian u16.
    TwoByteInteger,
    /// Big-endian u32.
    FourByteInteger,
    /// Variable byte integer (1..4 bytes, max 268,435,455).
    VariableByteInteger,
    /// Two-byte length then bytes.
    BinaryData,
    /// Two-byte length then UTF-8.
    Utf8String,
    /// Two UTF-8 strings (user property).
    Utf8StringPair,
}

/// One MQTT 5 property value. Strings and binary data borrow from the decode buffer
/// where they can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyValue<'a> {
    /// Byte.
    Byte(u8),
    /// Two-byte integer.
    TwoByte(u16),
    /// Four-byte integer.
    FourByte(u32),
    /// Variable byte integer.
    VarInt(u32),
    /// Binary data.
    Binary(Cow<'a, [u8]>),
    /// UTF-8 string.
    Utf8(Cow<'a, str>),
    /// UTF-8 string pair.
    Pair(Cow<'a, str>, Cow<'a, str>),
}

/// One property: identifier and value. The value's variant must match the identifier's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property<'a> {
    /// The identifier (see [`prop_id`]).
    pub id: u8,
    /// The value.
    pub value: PropertyValue<'a>,
}

/// An ordered list of properties, in wire order; user properties repeat and keep their order.
/// Empty for MQTT 3.x packets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Properties<'a>(pub Vec<Property<'a>>);

/// The will message inside CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastWill<'a> {
    /// Will topic (a topic name: no wildcards).
    pub topic: Cow<'a, str>,
    /// Will payload; binary.
    pub payload: Cow<'a, [u8]>,
    /// Will QoS.
    pub qos: QoS,
    /// Will retain flag.
    pub retain: bool,
    /// MQTT 5 will properties.
    pub properties: Properties<'a>,
}

/// CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect<'a> {
    /// Protocol level to announce.
    pub version: ProtocolVersion,
    /// Client identifier; may be empty.
    pub client_id: Cow<'a, str>,
    /// Clean session (3.x) / clean start (5).
    pub clean_start: bool,
    /// Keep alive in seconds; 0 disables it.
    pub keep_alive: u16,
    /// Optional user name.
    pub username: Option<Cow<'a, str>>,
    /// Optional password, binary.
    pub password: Option<Cow<'a, [u8]>>,
    /// Optional will.
    pub will: Option<LastWill<'a>>,
    /// MQTT 5 connect properties.
    pub properties: Properties<'a>,
}

/// CONNACK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnAck<'a> {
    /// Session present flag.
    pub session_present: bool,
    /// Return code (3.x) or reason code (5), raw.
    pub code: u8,
    /// MQTT 5 properties.
    pub properties: Properties<'a>,
}

/// PUBLISH. `packet_id` is 0 for QoS 0 and nonzero otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish<'a> {
    /// Duplicate delivery flag.
    pub dup: bool,
    /// QoS.
    pub qos: QoS,
    /// Retain flag.
    pub retain: bool,
    /// Topic name; empty is allowed in MQTT 5 only together with a topic alias.
    pub topic: Cow<'a, str>,
    /// Packet identifier (0 when QoS 0).
    pub packet_id: u16,
    /// MQTT 5 properties.
    pub properties: Properties<'a>,
    /// Application payload.
    pub payload: Cow<'a, [u8]>,
}

impl Publish<'_> {
    /// A copy that owns all its data.
    pub fn into_owned(self) -> Publish<'static> {
        Publish {
            dup: self.dup,
            qos: self.qos,
            retain: self.retain,
            topic: Cow::Owned(self.topic.into_owned()),
            packet_id: self.packet_id,
            properties: self.properties.into_owned(),
            payload: Cow::Owned(self.payload.into_owned()),
        }
    }
}

impl Properties<'_> {
    /// A copy that owns all its data.
    pub fn into_owned(self) -> Properties<'static> {
        Properties(self.0.into_iter().map(Property::into_owned).collect())
    }
}

impl Property<'_> {
    /// A copy that owns all its data.
    pub fn into_owned(self) -> Property<'static> {
        let value = match self.value {
            PropertyValue::Byte(v) => PropertyValue::Byte(v),
            PropertyValue::TwoByte(v) => PropertyValue::TwoByte(v),
            PropertyValue::FourByte(v) => PropertyValue::FourByte(v),
            PropertyValue::VarInt(v) => PropertyValue::VarInt(v),
            PropertyValue::Binary(b) => PropertyValue::Binary(Cow::Owned(b.into_owned())),
            PropertyValue::Utf8(s) => PropertyValue::Utf8(Cow::Owned(s.into_owned())),
            PropertyValue::Pair(k, v) => {
                PropertyValue::Pair(Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned()))
            }
        };
        Property { id: self.id, value }
    }
}

/// PUBACK, PUBREC, PUBREL and PUBCOMP share this shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack<'a> {
    /// Packet identifier (nonzero).
    pub packet_id: u16,
    /// MQTT 5 reason code; 0 (success) for 3.x and for the short forms.
    pub reason: u8,
    /// MQTT 5 properties.
    pub properties: Properties<'a>,
}

/// Subscription options byte of MQTT 5 (QoS only for 3.x).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionOptions {
    /// Maximum QoS.
    pub qos: QoS,
    /// No Local (MQTT 5).
    pub no_local: bool,
    /// Retain As Published (MQTT 5).
    pub retain_as_published: bool,
    /// Retain Handling 0..=2 (MQTT 5).
    pub retain_handling: u8,
}

/// SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe<'a> {
    /// Packet identifier (nonzero).
    pub packet_id: u16,
    /// MQTT 5 properties (subscription identifier, user properties).
    pub properties: Properties<'a>,
    /// Topic filters with their options; never empty.
    pub filters: Vec<(Cow<'a, str>, SubscriptionOptions)>,
}

/// SUBACK and UNSUBACK: one raw return/reason code per filter (UNSUBACK 3.x has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAck<'a> {
    /// Packet identifier (nonzero).
    pub packet_id: u16,
    /// MQTT 5 properties.
    pub properties: Properties<'a>,
    /// Codes, raw.
    pub codes: Vec<u8>,
}

/// UNSUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe<'a> {
    /// Packet identifier (nonzero).
    pub packet_id: u16,
    /// MQTT 5 properties.
    pub properties: Properties<'a>,
    /// Topic filters; never empty.
    pub filters: Vec<Cow<'a, str>>,
}

/// DISCONNECT (reason and properties are MQTT 5 only) and AUTH share this shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnect<'a> {
    /// Reason code; 0 when absent.
    pub reason: u8,
    /// Properties.
    pub properties: Properties<'a>,
}

/// Every MQTT control packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet<'a> {
    /// CONNECT
    Connect(Connect<'a>),
    /// CONNACK
    ConnAck(ConnAck<'a>),
    /// PUBLISH
    Publish(Publish<'a>),
    /// PUBACK
    PubAck(Ack<'a>),
    /// PUBREC
    PubRec(Ack<'a>),
    /// PUBREL
    PubRel(Ack<'a>),
    /// PUBCOMP
    PubComp(Ack<'a>),
    /// SUBSCRIBE
    Subscribe(Subscribe<'a>),
    /// SUBACK
    SubAck(SubAck<'a>),
    /// UNSUBSCRIBE
    Unsubscribe(Unsubscribe<'a>),
    /// UNSUBACK
    UnsubAck(SubAck<'a>),
    /// PINGREQ
    PingReq,
    /// PINGRESP
    PingResp,
    /// DISCONNECT
    Disconnect(Disconnect<'a>),
    /// AUTH (MQTT 5)
    Auth(Disconnect<'a>),
}

impl Packet<'_> {
    /// The packet's name as Paho's trace spells it (CONNECT, PUBACK, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Packet::Connect(_) => "CONNECT",
            Packet::ConnAck(_) => "CONNACK",
            Packet::Publish(_) => "PUBLISH",
            Packet::PubAck(_) => "PUBACK",
            Packet::PubRec(_) => "PUBREC",
            Packet::PubRel(_) => "PUBREL",
            Packet::PubComp(_) => "PUBCOMP",
            Packet::Subscribe(_) => "SUBSCRIBE",
            Packet::SubAck(_) => "SUBACK",
            Packet::Unsubscribe(_) => "UNSUBSCRIBE",
            Packet::UnsubAck(_) => "UNSUBACK",
            Packet::PingReq => "PINGREQ",
            Packet::PingResp => "PINGRESP",
            Packet::Disconnect(_) => "DISCONNECT",
            Packet::Auth(_) => "AUTH",
        }
    }
}

/// Why a packet could not be encoded or decoded. Every variant maps to an MQTT 5 reason
/// code (0x81 Malformed Packet, 0x82 Protocol Error, 0x95 Packet Too Large, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// Remaining length over 268,435,455, or a fifth length byte.
    BadRemainingLength,
    /// The packet (fixed header + remaining length) exceeds the configured maximum size.
    PacketTooLarge {
        /// The full packet size announced by the fixed header.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Packet type 0 or 15 (AUTH before MQTT 5), or a type a client never receives/sends here.
    UnknownPacketType(u8),
    /// Reserved flag bits in the fixed header are wrong.
    BadFlags(u8),
    /// QoS 3 in a PUBLISH or in subscription options.
    BadQoS,
    /// A string or binary field is over 65,535 bytes.
    FieldTooLong,
    /// A string is not well-formed UTF-8, contains U+0000, or a surrogate.
    BadUtf8,
    /// A topic name contains `+` or `#`, or is empty where a name is required.
    BadTopicName,
    /// A topic filter puts `+` or `#` in an illegal position, or is empty.
    BadTopicFilter,
    /// Packet identifier 0 where one is required.
    ZeroPacketId,
    /// A property is unknown, not allowed in this packet, or of the wrong type: a Malformed
    /// Packet (MQTT 5.0, 2.2.2.2).
    BadProperty(u8),
    /// A property is repeated where it may appear once, or Authentication Data comes without
    /// an Authentication Method: a Protocol Error.
    PropertyConflict(u8),
    /// A property value is out of range (e.g. receive maximum 0, maximum QoS 2): a Protocol
    /// Error.
    BadPropertyValue(u8),
    /// A SUBSCRIBE or UNSUBSCRIBE with no filters, or a SUBACK with no codes.
    EmptyFilterList,
    /// The remaining length does not match the packet's contents (too short or bytes left over).
    Malformed(&'static str),
    /// Something that is valid in another protocol version only (e.g. AUTH in 3.1.1).
    WrongVersion,
    /// The connect or will field combination is illegal (e.g. password without user name in 3.1.1).
    BadConnectFlags,
}

impl CodecError {
    /// The MQTT 5 reason code that describes this error best.
    pub fn reason_code(&self) -> u8 {
        match self {
            CodecError::PacketTooLarge { .. } => 0x95,
            CodecError::PropertyConflict(_)
            | CodecError::BadPropertyValue(_)
            | CodecError::WrongVersion => 0x82,
            CodecError::BadTopicName => 0x90,
            CodecError::BadTopicFilter => 0x8F,
            _ => 0x81,
        }
    }
}

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodecError::BadRemainingLength => write!(f, "malformed remaining length"),
            CodecError::PacketTooLarge { size, max } => {
                write!(f, "packet of {size} bytes exceeds the maximum of {max}")
            }
            CodecError::UnknownPacketType(t) => write!(f, "unknown packet type {t}"),
            CodecError::BadFlags(b) => write!(f, "reserved flags wrong in header byte 0x{b:02x}"),
            CodecError::BadQoS => write!(f, "QoS 3 is not a QoS"),
            CodecError::FieldTooLong => write!(f, "string or binary field over 65535 bytes"),
            CodecError::BadUtf8 => write!(f, "malformed UTF-8 string"),
            CodecError::BadTopicName => write!(f, "invalid topic name"),
            CodecError::BadTopicFilter => write!(f, "invalid topic filter"),
            CodecError::ZeroPacketId => write!(f, "packet identifier 0"),
            CodecError::BadProperty(id) => write!(f, "property 0x{id:02x} not allowed here"),
            CodecError::PropertyConflict(id) => {
                write!(f, "property 0x{id:02x} repeated or without its companion")
            }
            CodecError::BadPropertyValue(id) => write!(f, "bad value for property 0x{id:02x}"),
            CodecError::EmptyFilterList => write!(f, "empty topic filter list"),
            CodecError::Malformed(what) => write!(f, "malformed packet: {what}"),
            CodecError::WrongVersion => write!(f, "not valid in this protocol version"),
            CodecError::BadConnectFlags => write!(f, "invalid connect flags"),
        }
    }
}

impl std::error::Error for CodecError {}
