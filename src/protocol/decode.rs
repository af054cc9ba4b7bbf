//! Incremental packet decoder: waits for whole packets, refuses oversize ones from their
//! fixed header, and hands out packets that borrow from the input buffer.

use std::borrow::Cow;

use super::props::{self, Ctx};
use super::types::*;
use super::validate::{topic_filter, topic_name_wire, v5_subscription};
use super::wire::Reader;

/// See [`super::decode`].
pub(crate) fn decode(
    buf: &[u8],
    version: ProtocolVersion,
    max_packet_size: usize,
) -> Result<Option<(Packet<'_>, usize)>, CodecError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    // The header byte alone can already be wrong; say so without waiting for more.
    check_header(first, version)?;

    let mut remaining = 0usize;
    let mut i = 1;
    loop {
        if i > 4 {
            return Err(CodecError::BadRemainingLength);
        }
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        remaining |= usize::from(b & 0x7f) << (7 * (i - 1));
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
    }
    let total = i + remaining;
    if total > max_packet_size {
        return Err(CodecError::PacketTooLarge {
            size: total,
            max: max_packet_size,
        });
    }
    if buf.len() < total {
        return Ok(None);
    }
    let mut r = Reader::new(&buf[i..total]);
    if first >> 4 == 3 {
        // The hot path, kept apart so that the packet is built in the result without an
        // extra copy of the whole `Packet`; the payload takes the rest, so nothing is left over.
        let v5 = version == ProtocolVersion::V5;
        return publish(first, &mut r, v5).map(|p| Some((Packet::Publish(p), total)));
    }
    let packet = body(first, &mut r, version)?;
    if r.remaining() != 0 {
        return Err(CodecError::Malformed(
            "bytes left over after the packet's fields",
        ));
    }
    Ok(Some((packet, total)))
}

/// Packet type and the reserved flag bits of the fixed header.
fn check_header(first: u8, version: ProtocolVersion) -> Result<(), CodecError> {
    let flags = first & 0x0f;
    match first >> 4 {
        0 => Err(CodecError::UnknownPacketType(0)),
        15 if version != ProtocolVersion::V5 => Err(CodecError::UnknownPacketType(15)),
        3 => {
            let qos = (flags >> 1) & 3;
            if qos == 3 {
                Err(CodecError::BadQoS)
            } else if qos == 0 && flags & 0x08 != 0 {
                // [MQTT-3.3.1-2]: DUP must be 0 on QoS 0.
                Err(CodecError::BadFlags(first))
            } else {
                Ok(())
            }
        }
        6 | 8 | 10 => {
            // MQTT 3.1 let these carry DUP on a resend; later versions fix the flags at 0010.
            if flags == 0x02 || (version == ProtocolVersion::V31 && flags == 0x0a) {
                Ok(())
            } else {
                Err(CodecError::BadFlags(first))
            }
        }
        _ if flags != 0 => Err(CodecError::BadFlags(first)),
        _ => Ok(()),
    }
}

fn packet_id(r: &mut Reader<'_>) -> Result<u16, CodecError> {
    match r.u16()? {
        0 => Err(CodecError::ZeroPacketId),
        id => Ok(id),
    }
}

fn props_if<'a>(r: &mut Reader<'a>, ctx: Ctx, v5: bool) -> Result<Properties<'a>, CodecError> {
    if v5 {
        props::decode(r, ctx)
    } else {
        Ok(Properties::default())
    }
}

/// The MQTT 5 reason code and properties that may be cut short: nothing left means
/// reason 0 and no properties, one byte means a reason without properties.
fn reason_and_props<'a>(r: &mut Reader<'a>, ctx: Ctx) -> Result<(u8, Properties<'a>), CodecError> {
    if r.remaining() == 0 {
        return Ok((0, Properties::default()));
    }
    let reason = r.u8()?;
    if r.remaining() == 0 {
        return Ok((reason, Properties::default()));
    }
    Ok((reason, props::decode(r, ctx)?))
}

#[inline]
fn body<'a>(
    first: u8,
    r: &mut Reader<'a>,
    version: ProtocolVersion,
) -> Result<Packet<'a>, CodecError> {
    let v5 = version == ProtocolVersion::V5;
    Ok(match first >> 4 {
        1 => Packet::Connect(connect(r)?),
        2 => {
            let ack_flags = r.u8()?;
            if ack_flags & 0xfe != 0 {
                return Err(CodecError::Malformed("reserved CONNACK flag bits set"));
            }
            let session_present = ack_flags & 1 != 0;
            let code = r.u8()?;
            if session_present && code != 0 {
                return Err(CodecError::Malformed("session present with a refusal code"));
            }
            // A server that speaks only 3.x answers an MQTT 5 CONNECT with its own two-byte
            // CONNACK (return code 1, unacceptable protocol version). Read it as such, as
            // Paho does, so the caller sees the refusal and can fall back, not a malformed packet.
            let properties = props_if(r, Ctx::ConnAck, v5 && r.remaining() > 0)?;
            Packet::ConnAck(ConnAck {
                session_present,
                code,
                properties,
            })
        }
        3 => Packet::Publish(publish(first, r, v5)?),
        4..=7 => {
            let packet_id = packet_id(r)?;
            let (reason, properties) = if v5 {
                reason_and_props(r, Ctx::Ack)?
            } else {
                (0, Properties::default())
            };
            let a = Ack {
                packet_id,
                reason,
                properties,
            };
            match first >> 4 {
                4 => Packet::PubAck(a),
                5 => Packet::PubRec(a),
                6 => Packet::PubRel(a),
                _ => Packet::PubComp(a),
            }
        }
        8 => {
            let packet_id = packet_id(r)?;
            let properties = props_if(r, Ctx::Subscribe, v5)?;
            let mut filters = Vec::new();
            while r.remaining() > 0 {
                let f = r.str()?;
                topic_filter(f)?;
                let o = r.u8()?;
                let reserved = if v5 { 0xc0 } else { 0xfc };
                if o & reserved != 0 {
                    return Err(CodecError::Malformed(
                        "reserved subscription option bits set",
                    ));
                }
                let qos = QoS::from_u8(o & 3).ok_or(CodecError::BadQoS)?;
                let opts = SubscriptionOptions {
                    qos,
                    no_local: o & 0x04 != 0,
                    retain_as_published: o & 0x08 != 0,
                    retain_handling: (o >> 4) & 3,
                };
                if v5 {
                    v5_subscription(f, &opts)?;
                }
                filters.push((Cow::Borrowed(f), opts));
            }
            if filters.is_empty() {
                return Err(CodecError::EmptyFilterList);
            }
            Packet::Subscribe(Subscribe {
                packet_id,
                properties,
                filters,
            })
        }
        9 | 11 => {
            let packet_id = packet_id(r)?;
            let suback = first >> 4 == 9;
            let ctx = if suback { Ctx::SubAck } else { Ctx::UnsubAck };
            let properties = props_if(r, ctx, v5)?;
            let codes = r.rest().to_vec();
            // A 3.x UNSUBACK has no payload (left-over bytes are refused by the caller's
            // check); every other form has one code per filter, and there is at least one.
            if !suback && !v5 {
                if !codes.is_empty() {
                    return Err(CodecError::Malformed("codes in a 3.x UNSUBACK"));
                }
            } else if codes.is_empty() {
                return Err(CodecError::EmptyFilterList);
            }
            let s = SubAck {
                packet_id,
                properties,
                codes,
            };
            if suback {
                Packet::SubAck(s)
            } else {
                Packet::UnsubAck(s)
            }
        }
        10 => {
            let packet_id = packet_id(r)?;
            let properties = props_if(r, Ctx::Unsubscribe, v5)?;
            let mut filters = Vec::new();
            while r.remaining() > 0 {
                let f = r.str()?;
                topic_filter(f)?;
                filters.push(Cow::Borrowed(f));
            }
            if filters.is_empty() {
                return Err(CodecError::EmptyFilterList);
            }
            Packet::Unsubscribe(Unsubscribe {
                packet_id,
                properties,
                filters,
            })
        }
        12 => Packet::PingReq,
        13 => Packet::PingResp,
        14 => {
            let (reason, properties) = if v5 {
                reason_and_props(r, Ctx::Disconnect)?
            } else {
                (0, Properties::default())
            };
            Packet::Disconnect(Disconnect { reason, properties })
        }
        15 => {
            let (reason, properties) = reason_and_props(r, Ctx::Auth)?;
            Packet::Auth(Disconnect { reason, properties })
        }
        t => return Err(CodecError::UnknownPacketType(t)),
    })
}

#[inline]
fn publish<'a>(first: u8, r: &mut Reader<'a>, v5: bool) -> Result<Publish<'a>, CodecError> {
    // check_header has refused QoS 3 already.
    let qos = QoS::from_u8((first >> 1) & 3).ok_or(CodecError::BadQoS)?;
    let topic = topic_name_wire(r.bin()?)?;
    let packet_id = if qos == QoS::AtMostOnce {
        0
    } else {
        packet_id(r)?
    };
    let properties = props_if(r, Ctx::Publish, v5)?;
    // An empty name is MQTT 5's way of saying "use the topic alias", and then the alias
    // must be there.
    if topic.is_empty() && !properties.0.iter().any(|p| p.id == prop_id::TOPIC_ALIAS) {
        return Err(CodecError::BadTopicName);
    }
    Ok(Publish {
        dup: first & 0x08 != 0,
        qos,
        retain: first & 0x01 != 0,
        topic: Cow::Borrowed(topic),
        packet_id,
        properties,
        payload: Cow::Borrowed(r.rest()),
    })
}

fn connect<'a>(r: &mut Reader<'a>) -> Result<Connect<'a>, CodecError> {
    let name = r.str()?;
    let level = r.u8()?;
    let version = match (name, level) {
        ("MQIsdp", 3) => ProtocolVersion::V31,
        ("MQTT", 4) => ProtocolVersion::V311,
        ("MQTT", 5) => ProtocolVersion::V5,
        _ => return Err(CodecError::WrongVersion),
    };
    let v5 = version == ProtocolVersion::V5;
    let flags = r.u8()?;
    let has_will = flags & 0x04 != 0;
    let will_qos = (flags >> 3) & 3;
    let will_retain = flags & 0x20 != 0;
    let has_password = flags & 0x40 != 0;
    let has_username = flags & 0x80 != 0;
    if flags & 0x01 != 0 {
        // [MQTT-3.1.2-3]: the reserved bit must be 0.
        return Err(CodecError::BadConnectFlags);
    }
    if !has_will && (will_qos != 0 || will_retain) {
        return Err(CodecError::BadConnectFlags);
    }
    let will_qos = QoS::from_u8(will_qos).ok_or(CodecError::BadQoS)?;
    if has_password && !has_username && !v5 {
        return Err(CodecError::BadConnectFlags);
    }
    let keep_alive = r.u16()?;
    let properties = props_if(r, Ctx::Connect, v5)?;
    let client_id = r.str()?;
    let will = if has_will {
        let properties = props_if(r, Ctx::Will, v5)?;
        let topic = topic_name_wire(r.bin()?)?;
        if topic.is_empty() {
            return Err(CodecError::BadTopicName);
        }
        let payload = r.bin()?;
        Some(LastWill {
            topic: Cow::Borrowed(topic),
            payload: Cow::Borrowed(payload),
            qos: will_qos,
            retain: will_retain,
            properties,
        })
    } else {
        None
    };
    let username = if has_username {
        Some(Cow::Borrowed(r.str()?))
    } else {
        None
    };
    let password = if has_password {
        Some(Cow::Borrowed(r.bin()?))
    } else {
        None
    };
    Ok(Connect {
        version,
        client_id: Cow::Borrowed(client_id),
        clean_start: flags & 0x02 != 0,
        keep_alive,
        username,
        password,
        will,
        properties,
    })
}

/// The full length of the packet starting `buf`, from its fixed header, once that is complete
/// (None before, or if its remaining length is longer than four bytes).
pub(crate) fn packet_len(buf: &[u8]) -> Option<usize> {
    let mut r = Reader::new(buf.get(1..)?);
    let remaining = r.varint().ok()? as usize;
    Some(buf.len() - r.remaining() + remaining)
}

/// The first part of a PUBLISH (its whole packet not there yet) split where its payload
/// starts: the packet as it would be with an empty payload (header byte, remaining length of
/// the variable header alone, the variable header), where in `buf` the payload starts, and
/// how long the whole payload is. None when `buf` is not a PUBLISH, is complete, or its
/// variable header has not all arrived; malformed fields are left to [`decode`].
pub(crate) fn split_publish(buf: &[u8], v5: bool) -> Option<(Vec<u8>, usize, usize)> {
    let first = *buf.first()?;
    let total = packet_len(buf)?;
    if first >> 4 != 3 || buf.len() >= total {
        return None;
    }
    let mut r = Reader::new(buf.get(1..)?);
    r.varint().ok()?;
    let fixed = buf.len() - r.remaining();
    let topic_len = r.u16().ok()?;
    r.take(usize::from(topic_len)).ok()?;
    if (first >> 1) & 3 > 0 {
        r.u16().ok()?;
    }
    if v5 {
        let props = r.varint().ok()? as usize;
        r.take(props).ok()?;
    }
    let start = buf.len() - r.remaining();
    let var = start - fixed;
    let (len_of_var, n) = super::wire::varint_bytes(u32::try_from(var).ok()?).ok()?;
    let mut head = Vec::with_capacity(1 + n + var);
    head.push(first);
    head.extend_from_slice(&len_of_var[..n]);
    head.extend_from_slice(&buf[fixed..start]);
    Some((head, start, total - start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::encode;

    /// The head of a partly arrived PUBLISH decodes as that PUBLISH with no payload, and the
    /// payload's start and length are where the whole packet has them; a complete packet, a
    /// head cut inside its variable header and another packet type are not split.
    #[test]
    fn a_partial_publish_splits_where_its_payload_starts() {
        let payload = vec![7u8; 3000];
        for (version, qos, props) in [
            (
                ProtocolVersion::V311,
                QoS::AtMostOnce,
                Properties::default(),
            ),
            (
                ProtocolVersion::V311,
                QoS::ExactlyOnce,
                Properties::default(),
            ),
            (
                ProtocolVersion::V5,
                QoS::AtLeastOnce,
                Properties(vec![Property {
                    id: crate::protocol::prop_id::CONTENT_TYPE,
                    value: PropertyValue::Utf8(Cow::Borrowed("text/plain")),
                }]),
            ),
        ] {
            let v5 = version == ProtocolVersion::V5;
            let p = Publish {
                dup: false,
                qos,
                retain: true,
                topic: Cow::Borrowed("a/topic"),
                packet_id: if qos == QoS::AtMostOnce { 0 } else { 9 },
                properties: props,
                payload: Cow::Borrowed(&payload),
            };
            let mut wire = Vec::new();
            encode(&Packet::Publish(p.clone()), version, &mut wire).unwrap();
            assert_eq!(packet_len(&wire[..3]), Some(wire.len()));
            let payload_at = wire.len() - payload.len();
            let (head, start, len) = split_publish(&wire[..payload_at + 10], v5).unwrap();
            assert_eq!((start, len), (payload_at, payload.len()));
            let (Packet::Publish(q), used) = decode(&head, version, usize::MAX).unwrap().unwrap()
            else {
                panic!("not a PUBLISH");
            };
            assert_eq!(used, head.len());
            assert_eq!(
                q,
                Publish {
                    payload: Cow::Borrowed(&[]),
                    ..p
                }
            );
            assert!(split_publish(&wire, v5).is_none(), "complete");
            assert!(
                split_publish(&wire[..payload_at - 1], v5).is_none(),
                "headers cut"
            );
        }
        assert!(
            split_publish(&[0x82, 0x10, 0, 1], false).is_none(),
            "SUBSCRIBE"
        );
    }
}
