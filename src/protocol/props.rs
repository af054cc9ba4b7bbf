//! MQTT 5 properties: which identifier has which type, where each may appear, how often,
//! which values are legal, and their wire form.

use std::borrow::Cow;

use super::types::{prop_id::*, CodecError, Properties, Property, PropertyType, PropertyValue};
use super::validate::{check_str, topic_name, MAX_FIELD};
use super::wire::{put_u16, put_varint, varint_len, Reader, MAX_VARINT};

/// Where a property list sits; a bit each so that the table below can say "allowed in".
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u16)]
pub(crate) enum Ctx {
    Connect = 1 << 0,
    ConnAck = 1 << 1,
    Publish = 1 << 2,
    Will = 1 << 3,
    /// PUBACK, PUBREC, PUBREL, PUBCOMP.
    Ack = 1 << 4,
    Subscribe = 1 << 5,
    SubAck = 1 << 6,
    Unsubscribe = 1 << 7,
    UnsubAck = 1 << 8,
    Disconnect = 1 << 9,
    Auth = 1 << 10,
}

const CONNECT: u16 = Ctx::Connect as u16;
const CONNACK: u16 = Ctx::ConnAck as u16;
const PUBLISH: u16 = Ctx::Publish as u16;
const WILL: u16 = Ctx::Will as u16;
const ACK: u16 = Ctx::Ack as u16;
const SUBSCRIBE: u16 = Ctx::Subscribe as u16;
const SUBACK: u16 = Ctx::SubAck as u16;
const UNSUBSCRIBE: u16 = Ctx::Unsubscribe as u16;
const UNSUBACK: u16 = Ctx::UnsubAck as u16;
const DISCONNECT: u16 = Ctx::Disconnect as u16;
const AUTH: u16 = Ctx::Auth as u16;
const EVERYWHERE: u16 = CONNECT
    | CONNACK
    | PUBLISH
    | WILL
    | ACK
    | SUBSCRIBE
    | SUBACK
    | UNSUBSCRIBE
    | UNSUBACK
    | DISCONNECT
    | AUTH;

/// Type and permitted packets of each identifier, from the property table of MQTT 5.0 §2.2.2.2.
fn spec(id: u8) -> Option<(PropertyType, u16)> {
    use PropertyType::*;
    Some(match id {
        PAYLOAD_FORMAT_INDICATOR => (Byte, PUBLISH | WILL),
        MESSAGE_EXPIRY_INTERVAL => (FourByteInteger, PUBLISH | WILL),
        CONTENT_TYPE => (Utf8String, PUBLISH | WILL),
        RESPONSE_TOPIC => (Utf8String, PUBLISH | WILL),
        CORRELATION_DATA => (BinaryData, PUBLISH | WILL),
        SUBSCRIPTION_IDENTIFIER => (VariableByteInteger, PUBLISH | SUBSCRIBE),
        SESSION_EXPIRY_INTERVAL => (FourByteInteger, CONNECT | CONNACK | DISCONNECT),
        ASSIGNED_CLIENT_IDENTIFIER => (Utf8String, CONNACK),
        SERVER_KEEP_ALIVE => (TwoByteInteger, CONNACK),
        AUTHENTICATION_METHOD => (Utf8String, CONNECT | CONNACK | AUTH),
        AUTHENTICATION_DATA => (BinaryData, CONNECT | CONNACK | AUTH),
        REQUEST_PROBLEM_INFORMATION => (Byte, CONNECT),
        WILL_DELAY_INTERVAL => (FourByteInteger, WILL),
        REQUEST_RESPONSE_INFORMATION => (Byte, CONNECT),
        RESPONSE_INFORMATION => (Utf8String, CONNACK),
        SERVER_REFERENCE => (Utf8String, CONNACK | DISCONNECT),
        REASON_STRING => (
            Utf8String,
            CONNACK | ACK | SUBACK | UNSUBACK | DISCONNECT | AUTH,
        ),
        RECEIVE_MAXIMUM => (TwoByteInteger, CONNECT | CONNACK),
        TOPIC_ALIAS_MAXIMUM => (TwoByteInteger, CONNECT | CONNACK),
        TOPIC_ALIAS => (TwoByteInteger, PUBLISH),
        MAXIMUM_QOS => (Byte, CONNACK),
        RETAIN_AVAILABLE => (Byte, CONNACK),
        USER_PROPERTY => (Utf8StringPair, EVERYWHERE),
        MAXIMUM_PACKET_SIZE => (FourByteInteger, CONNECT | CONNACK),
        WILDCARD_SUBSCRIPTION_AVAILABLE => (Byte, CONNACK),
        SUBSCRIPTION_IDENTIFIERS_AVAILABLE => (Byte, CONNACK),
        SHARED_SUBSCRIPTION_AVAILABLE => (Byte, CONNACK),
        _ => return None,
    })
}

/// The wire type of `id`, or `None` if the specification defines no such property.
pub(crate) fn property_type(id: u8) -> Option<PropertyType> {
    spec(id).map(|(t, _)| t)
}

/// Identifiers seen so far in one list; every defined identifier is below 64.
#[derive(Default)]
struct Seen(u64);

impl Seen {
    fn has(&self, id: u8) -> bool {
        self.0 & (1 << id) != 0
    }
}

/// Existence, placement and repetition of one property; returns its type.
fn admit(id: u8, ctx: Ctx, seen: &mut Seen) -> Result<PropertyType, CodecError> {
    let (ty, allowed) = spec(id).ok_or(CodecError::BadProperty(id))?;
    if allowed & ctx as u16 == 0 {
        return Err(CodecError::BadProperty(id));
    }
    // User properties repeat freely; a PUBLISH carries one subscription identifier per
    // matching subscription. Everything else appears at most once.
    let repeats = id == USER_PROPERTY || (id == SUBSCRIPTION_IDENTIFIER && ctx == Ctx::Publish);
    if seen.has(id) && !repeats {
        return Err(CodecError::PropertyConflict(id));
    }
    seen.0 |= 1 << id;
    Ok(ty)
}

/// Value ranges the specification calls a protocol error when broken. The value's type
/// has been checked against the identifier already.
#[inline]
fn check_range(id: u8, value: &PropertyValue<'_>) -> Result<(), CodecError> {
    let ok = match id {
        PAYLOAD_FORMAT_INDICATOR
        | REQUEST_PROBLEM_INFORMATION
        | REQUEST_RESPONSE_INFORMATION
        | MAXIMUM_QOS
        | RETAIN_AVAILABLE
        | WILDCARD_SUBSCRIPTION_AVAILABLE
        | SUBSCRIPTION_IDENTIFIERS_AVAILABLE
        | SHARED_SUBSCRIPTION_AVAILABLE => matches!(value, PropertyValue::Byte(0 | 1)),
        RECEIVE_MAXIMUM | TOPIC_ALIAS => !matches!(value, PropertyValue::TwoByte(0)),
        MAXIMUM_PACKET_SIZE => !matches!(value, PropertyValue::FourByte(0)),
        SUBSCRIPTION_IDENTIFIER => matches!(value, PropertyValue::VarInt(1..=MAX_VARINT)),
        RESPONSE_TOPIC => match value {
            PropertyValue::Utf8(s) => topic_name(s).is_ok(),
            _ => true,
        },
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(CodecError::BadPropertyValue(id))
    }
}

/// Checks that concern the whole list.
fn check_list(seen: &Seen) -> Result<(), CodecError> {
    if seen.has(AUTHENTICATION_DATA) && !seen.has(AUTHENTICATION_METHOD) {
        return Err(CodecError::PropertyConflict(AUTHENTICATION_DATA));
    }
    Ok(())
}

/// Validate `props` for `ctx` and return the byte length of their encoding (without the
/// property length prefix).
pub(crate) fn encoded_len(props: &Properties<'_>, ctx: Ctx) -> Result<usize, CodecError> {
    let mut seen = Seen::default();
    let mut len = 0usize;
    for p in &props.0 {
        let ty = admit(p.id, ctx, &mut seen)?;
        let size = match (&p.value, ty) {
            (PropertyValue::Byte(_), PropertyType::Byte) => 1,
            (PropertyValue::TwoByte(_), PropertyType::TwoByteInteger) => 2,
            (PropertyValue::FourByte(_), PropertyType::FourByteInteger) => 4,
            (PropertyValue::VarInt(v), PropertyType::VariableByteInteger) => {
                if *v > MAX_VARINT {
                    return Err(CodecError::BadPropertyValue(p.id));
                }
                varint_len(*v)
            }
            (PropertyValue::Binary(b), PropertyType::BinaryData) => {
                if b.len() > MAX_FIELD {
                    return Err(CodecError::FieldTooLong);
                }
                2 + b.len()
            }
            (PropertyValue::Utf8(s), PropertyType::Utf8String) => {
                check_str(s)?;
                2 + s.len()
            }
            (PropertyValue::Pair(k, v), PropertyType::Utf8StringPair) => {
                check_str(k)?;
                check_str(v)?;
                4 + k.len() + v.len()
            }
            _ => return Err(CodecError::BadProperty(p.id)),
        };
        check_range(p.id, &p.value)?;
        len += 1 + size;
    }
    check_list(&seen)?;
    if len > MAX_VARINT as usize {
        return Err(CodecError::BadRemainingLength);
    }
    Ok(len)
}

/// Append the property length and the properties; `len` comes from [`encoded_len`], which
/// has already checked everything, so nothing here can fail.
pub(crate) fn write(out: &mut Vec<u8>, props: &Properties<'_>, len: usize) {
    // `len` was bounded by encoded_len.
    let _ = put_varint(out, len as u32);
    for p in &props.0 {
        out.push(p.id);
        match &p.value {
            PropertyValue::Byte(v) => out.push(*v),
            PropertyValue::TwoByte(v) => put_u16(out, *v),
            PropertyValue::FourByte(v) => out.extend_from_slice(&v.to_be_bytes()),
            PropertyValue::VarInt(v) => {
                let _ = put_varint(out, *v);
            }
            PropertyValue::Binary(b) => {
                put_u16(out, b.len() as u16);
                out.extend_from_slice(b);
            }
            PropertyValue::Utf8(s) => {
                put_u16(out, s.len() as u16);
                out.extend_from_slice(s.as_bytes());
            }
            PropertyValue::Pair(k, v) => {
                put_u16(out, k.len() as u16);
                out.extend_from_slice(k.as_bytes());
                put_u16(out, v.len() as u16);
                out.extend_from_slice(v.as_bytes());
            }
        }
    }
}

/// Validate and append a property list with its length prefix.
pub(crate) fn encode(
    out: &mut Vec<u8>,
    props: &Properties<'_>,
    ctx: Ctx,
) -> Result<(), CodecError> {
    let len = encoded_len(props, ctx)?;
    write(out, props, len);
    Ok(())
}

/// Read a property length and the list it covers. Strings and binary values borrow from
/// the input; an empty list allocates nothing.
pub(crate) fn decode<'a>(r: &mut Reader<'a>, ctx: Ctx) -> Result<Properties<'a>, CodecError> {
    let len = r.varint()? as usize;
    if len > r.remaining() {
        return Err(CodecError::Malformed(
            "property length runs past the end of the packet",
        ));
    }
    let mut body = Reader::new(r.take(len)?);
    let mut seen = Seen::default();
    let mut list = Vec::new();
    while body.remaining() > 0 {
        // The identifier is a variable byte integer, but every defined one fits in one byte,
        // so any byte with the top bit set is an unknown identifier.
        let id = body.u8()?;
        let ty = admit(id, ctx, &mut seen)?;
        let value = match ty {
            PropertyType::Byte => PropertyValue::Byte(body.u8()?),
            PropertyType::TwoByteInteger => PropertyValue::TwoByte(body.u16()?),
            PropertyType::FourByteInteger => PropertyValue::FourByte(body.u32()?),
            PropertyType::VariableByteInteger => PropertyValue::VarInt(body.varint()?),
            PropertyType::BinaryData => PropertyValue::Binary(Cow::Borrowed(body.bin()?)),
            PropertyType::Utf8String => PropertyValue::Utf8(Cow::Borrowed(body.str()?)),
            PropertyType::Utf8StringPair => {
                let k = body.str()?;
                let v = body.str()?;
                PropertyValue::Pair(Cow::Borrowed(k), Cow::Borrowed(v))
            }
        };
        check_range(id, &value)?;
        list.push(Property { id, value });
    }
    check_list(&seen)?;
    Ok(Properties(list))
}
