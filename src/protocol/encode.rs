//! Packet encoder: validates as it writes, and leaves the output as it was on error.

use super::props::{self, Ctx};
use super::types::*;
use super::validate::{topic_filter, topic_name, v5_subscription};
use super::wire::{put_bin, put_str, put_u16, varint_bytes, varint_len, MAX_VARINT};

/// Encode `packet` and append it to `out`. See [`super::encode`].
pub(crate) fn encode(
    packet: &Packet<'_>,
    version: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    if let Packet::Publish(p) = packet {
        return publish(p, version == ProtocolVersion::V5, out);
    }
    let start = out.len();
    match encode_into(packet, version, out, start) {
        Ok(()) => Ok(()),
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// Room left after the header byte for the longest remaining length; the body is written
/// after it and moved down once its length is known.
const LEN_ROOM: usize = 4;

fn encode_into(
    packet: &Packet<'_>,
    version: ProtocolVersion,
    out: &mut Vec<u8>,
    start: usize,
) -> Result<(), CodecError> {
    let v5 = version == ProtocolVersion::V5;
    out.push(0);
    out.extend_from_slice(&[0; LEN_ROOM]);
    let header: u8 = match packet {
        Packet::Connect(c) => {
            connect(c, out)?;
            0x10
        }
        Packet::ConnAck(c) => {
            if c.session_present && c.code != 0 {
                return Err(CodecError::Malformed("session present with a refusal code"));
            }
            out.push(u8::from(c.session_present));
            out.push(c.code);
            props_or_none(out, &c.properties, Ctx::ConnAck, v5)?;
            0x20
        }
        // Handled by `publish`, which sizes the packet before writing it.
        Packet::Publish(_) => return Err(CodecError::Malformed("PUBLISH on the generic path")),
        Packet::PubAck(a) => {
            ack(a, v5, out)?;
            0x40
        }
        Packet::PubRec(a) => {
            ack(a, v5, out)?;
            0x50
        }
        Packet::PubRel(a) => {
            ack(a, v5, out)?;
            0x62
        }
        Packet::PubComp(a) => {
            ack(a, v5, out)?;
            0x70
        }
        Packet::Subscribe(s) => {
            subscribe(s, v5, out)?;
            0x82
        }
        Packet::SubAck(s) => {
            suback(s, v5, Ctx::SubAck, true, out)?;
            0x90
        }
        Packet::Unsubscribe(u) => {
            nonzero(u.packet_id)?;
            put_u16(out, u.packet_id);
            props_or_none(out, &u.properties, Ctx::Unsubscribe, v5)?;
            if u.filters.is_empty() {
                return Err(CodecError::EmptyFilterList);
            }
            for f in &u.filters {
                topic_filter(f)?;
                put_str(out, f)?;
            }
            0xA2
        }
        Packet::UnsubAck(s) => {
            // 3.x UNSUBACK carries only the packet identifier.
            suback(s, v5, Ctx::UnsubAck, v5, out)?;
            0xB0
        }
        Packet::PingReq => 0xC0,
        Packet::PingResp => 0xD0,
        Packet::Disconnect(d) => {
            if v5 {
                reason_and_props(out, d.reason, &d.properties, Ctx::Disconnect)?;
            } else if d.reason != 0 || !d.properties.0.is_empty() {
                return Err(CodecError::WrongVersion);
            }
            0xE0
        }
        Packet::Auth(a) => {
            if !v5 {
                return Err(CodecError::WrongVersion);
            }
            reason_and_props(out, a.reason, &a.properties, Ctx::Auth)?;
            0xF0
        }
    };

    let body_start = start + 1 + LEN_ROOM;
    let remaining = out.len() - body_start;
    if remaining > MAX_VARINT as usize {
        return Err(CodecError::BadRemainingLength);
    }
    let (len_bytes, n) = varint_bytes(remaining as u32)?;
    out[start] = header;
    out[start + 1..start + 1 + n].copy_from_slice(&len_bytes[..n]);
    if n < LEN_ROOM {
        out.copy_within(body_start.., start + 1 + n);
        out.truncate(out.len() - (LEN_ROOM - n));
    }
    Ok(())
}

fn nonzero(id: u16) -> Result<(), CodecError> {
    if id == 0 {
        Err(CodecError::ZeroPacketId)
    } else {
        Ok(())
    }
}

/// MQTT 5: write the property list. 3.x: there is none, and asking for one is an error.
fn props_or_none(
    out: &mut Vec<u8>,
    p: &Properties<'_>,
    ctx: Ctx,
    v5: bool,
) -> Result<(), CodecError> {
    if v5 {
        props::encode(out, p, ctx)
    } else if p.0.is_empty() {
        Ok(())
    } else {
        Err(CodecError::WrongVersion)
    }
}

/// The MQTT 5 tail shared by acks, DISCONNECT and AUTH, in its shortest form: nothing when
/// the reason is 0 and there are no properties, the reason alone when there are none.
fn reason_and_props(
    out: &mut Vec<u8>,
    reason: u8,
    p: &Properties<'_>,
    ctx: Ctx,
) -> Result<(), CodecError> {
    if p.0.is_empty() {
        if reason != 0 {
            out.push(reason);
        }
        return Ok(());
    }
    out.push(reason);
    props::encode(out, p, ctx)
}

fn ack(a: &Ack<'_>, v5: bool, out: &mut Vec<u8>) -> Result<(), CodecError> {
    nonzero(a.packet_id)?;
    put_u16(out, a.packet_id);
    if v5 {
        reason_and_props(out, a.reason, &a.properties, Ctx::Ack)
    } else if a.reason != 0 || !a.properties.0.is_empty() {
        Err(CodecError::WrongVersion)
    } else {
        Ok(())
    }
}

fn suback(
    s: &SubAck<'_>,
    v5: bool,
    ctx: Ctx,
    has_codes: bool,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    nonzero(s.packet_id)?;
    put_u16(out, s.packet_id);
    props_or_none(out, &s.properties, ctx, v5)?;
    if has_codes {
        if s.codes.is_empty() {
            return Err(CodecError::EmptyFilterList);
        }
        out.extend_from_slice(&s.codes);
    } else if !s.codes.is_empty() {
        return Err(CodecError::WrongVersion);
    }
    Ok(())
}

fn subscribe(s: &Subscribe<'_>, v5: bool, out: &mut Vec<u8>) -> Result<(), CodecError> {
    nonzero(s.packet_id)?;
    put_u16(out, s.packet_id);
    props_or_none(out, &s.properties, Ctx::Subscribe, v5)?;
    if s.filters.is_empty() {
        return Err(CodecError::EmptyFilterList);
    }
    for (f, o) in &s.filters {
        topic_filter(f)?;
        let mut byte = o.qos as u8;
        if v5 {
            v5_subscription(f, o)?;
            byte |= u8::from(o.no_local) << 2
                | u8::from(o.retain_as_published) << 3
                | o.retain_handling << 4;
        } else if o.no_local || o.retain_as_published || o.retain_handling != 0 {
            return Err(CodecError::WrongVersion);
        }
        put_str(out, f)?;
        out.push(byte);
    }
    Ok(())
}

/// PUBLISH is the packet sent in volume, so it is validated and sized completely first and
/// then written in one pass: no body moved after the length is known, payload copied once,
/// and nothing to undo because nothing can fail once writing starts.
fn publish(p: &Publish<'_>, v5: bool, out: &mut Vec<u8>) -> Result<(), CodecError> {
    publish_head(p, p.payload.len(), v5, out, p.payload.len())?;
    out.extend_from_slice(&p.payload);
    Ok(())
}

/// The PUBLISH `p` up to its payload, for a payload of `payload_len` bytes (not `p`'s own,
/// which is ignored). `room` is how many bytes after it to reserve in `out`.
pub(crate) fn publish_head(
    p: &Publish<'_>,
    payload_len: usize,
    v5: bool,
    out: &mut Vec<u8>,
    room: usize,
) -> Result<(), CodecError> {
    let q0 = p.qos == QoS::AtMostOnce;
    if q0 {
        if p.dup {
            return Err(CodecError::BadFlags(0x38));
        }
        if p.packet_id != 0 {
            return Err(CodecError::Malformed(
                "packet identifier on a QoS 0 PUBLISH",
            ));
        }
    } else {
        nonzero(p.packet_id)?;
    }
    if p.topic.is_empty() {
        // MQTT 5: an empty topic name means "the topic this alias stands for".
        let has_alias = v5 && p.properties.0.iter().any(|q| q.id == prop_id::TOPIC_ALIAS);
        if !has_alias {
            return Err(CodecError::BadTopicName);
        }
    } else {
        topic_name(&p.topic)?;
    }
    let props_len = if v5 {
        Some(props::encoded_len(&p.properties, Ctx::Publish)?)
    } else if p.properties.0.is_empty() {
        None
    } else {
        return Err(CodecError::WrongVersion);
    };
    let remaining = 2
        + p.topic.len()
        + if q0 { 0 } else { 2 }
        + props_len.map_or(0, |n| varint_len(n as u32) + n)
        + payload_len;
    if remaining > MAX_VARINT as usize {
        return Err(CodecError::BadRemainingLength);
    }
    let (len_bytes, n) = varint_bytes(remaining as u32)?;

    out.reserve(1 + n + remaining - payload_len + room);
    out.push(0x30 | u8::from(p.dup) << 3 | (p.qos as u8) << 1 | u8::from(p.retain));
    out.extend_from_slice(&len_bytes[..n]);
    put_u16(out, p.topic.len() as u16);
    out.extend_from_slice(p.topic.as_bytes());
    if !q0 {
        put_u16(out, p.packet_id);
    }
    if let Some(len) = props_len {
        props::write(out, &p.properties, len);
    }
    Ok(())
}

fn connect(c: &Connect<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let v5 = c.version == ProtocolVersion::V5;
    match c.version {
        ProtocolVersion::V31 => put_str(out, "MQIsdp")?,
        ProtocolVersion::V311 | ProtocolVersion::V5 => put_str(out, "MQTT")?,
    }
    out.push(c.version as u8);
    if c.password.is_some() && c.username.is_none() && !v5 {
        // [MQTT-3.1.2-22]: 3.x forbids a password without a user name; MQTT 5 allows it.
        return Err(CodecError::BadConnectFlags);
    }
    let mut flags = u8::from(c.clean_start) << 1;
    if let Some(w) = &c.will {
        flags |= 0x04 | (w.qos as u8) << 3 | u8::from(w.retain) << 5;
    }
    if c.password.is_some() {
        flags |= 0x40;
    }
    if c.username.is_some() {
        flags |= 0x80;
    }
    out.push(flags);
    put_u16(out, c.keep_alive);
    props_or_none(out, &c.properties, Ctx::Connect, v5)?;
    // Paho enforces no client identifier length limit for 3.1 (the 3.1 text says 23), nor do we.
    put_str(out, &c.client_id)?;
    if let Some(w) = &c.will {
        props_or_none(out, &w.properties, Ctx::Will, v5)?;
        topic_name(&w.topic)?;
        put_str(out, &w.topic)?;
        put_bin(out, &w.payload)?;
    }
    if let Some(u) = &c.username {
        put_str(out, u)?;
    }
    if let Some(pw) = &c.password {
        put_bin(out, pw)?;
    }
    Ok(())
}
