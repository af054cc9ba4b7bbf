//! Sans-IO codec for MQTT 3.1, 3.1.1 and 5.0.
//!
//! No sockets, clocks or threads here: bytes in, packets out, and back.

mod decode;
mod encode;
mod props;
mod types;
mod validate;
mod wire;

pub(crate) use decode::{packet_len, split_publish};
pub use types::*;

/// Encode `packet` for protocol `version`, appending the bytes to `out`.
///
/// Validates every field first (UTF-8, topic names and filters, packet ids, field lengths,
/// properties allowed in this packet) and leaves `out` unchanged on error. A CONNECT is
/// written for its own `version` field (that is how a client falls back from 5 to 3.1.1 to
/// 3.1); every other packet for `version`. MQTT 5 acknowledgements, DISCONNECT and AUTH are
/// written in their shortest form: no reason code when it is 0 and there are no properties,
/// no property length when there are none.
pub fn encode(
    packet: &Packet<'_>,
    version: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    encode::encode(packet, version, out)
}

/// Encode a PUBLISH without its payload, as [`encode`] would write it with a payload of
/// `payload_len` bytes (`p.payload` is not looked at): for a large payload written from where
/// it is kept instead of copied behind its headers. Same checks as [`encode`].
pub fn encode_publish_head(
    p: &Publish<'_>,
    payload_len: usize,
    version: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    encode::publish_head(p, payload_len, version == ProtocolVersion::V5, out, 0)
}

/// Try to decode one packet from the start of `buf`.
///
/// `Ok(None)`: not enough bytes yet; nothing is consumed and `buf` may grow. `Ok(Some((p, n)))`:
/// a packet that used the first `n` bytes; its topic, payload and binary/string properties borrow
/// from `buf`. A packet whose total size exceeds `max_packet_size` is refused as soon as its fixed
/// header is complete, before the body arrives. CONNECT carries its own version; for all other
/// packets `version` says how to read them.
pub fn decode(
    buf: &[u8],
    version: ProtocolVersion,
    max_packet_size: usize,
) -> Result<Option<(Packet<'_>, usize)>, CodecError> {
    decode::decode(buf, version, max_packet_size)
}

/// Check a topic name for PUBLISH: valid UTF-8 rules of MQTT, 1..=65535 bytes, no wildcards.
pub fn validate_topic_name(topic: &str) -> Result<(), CodecError> {
    validate::topic_name(topic)
}

/// Check a topic filter for SUBSCRIBE/UNSUBSCRIBE: MQTT UTF-8 rules, 1..=65535 bytes,
/// `+` alone in its level, `#` alone and last.
pub fn validate_topic_filter(filter: &str) -> Result<(), CodecError> {
    validate::topic_filter(filter)
}

/// Check bytes against the MQTT string rules: well-formed UTF-8, no U+0000, at most 65,535 bytes.
/// (Surrogates cannot occur in well-formed UTF-8.)
pub fn validate_mqtt_string(bytes: &[u8]) -> Result<&str, CodecError> {
    validate::mqtt_str(bytes)
}

/// The wire type of property `id`, or `None` for an identifier the specification does not define.
pub fn property_type(id: u8) -> Option<PropertyType> {
    props::property_type(id)
}
