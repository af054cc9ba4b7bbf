//! The durable session state as bytes, for persistence across process restarts.
//!
//! Layout (all integers big-endian):
//! ```text
//! magic "PAHORSES" | format u8 = 1 | body length u32 | body | FNV-1a 32 of body u32
//! body:  protocol level u8 | last packet id u16
//!        | outbound count u32 | outbound...  | inbound count u32 | inbound id u16...
//! outbound: id u16 | qos u8 | state u8 | flags u8 (1 = sent before, 2 = retain)
//!        | topic (u32 length + UTF-8) | payload (u32 length + bytes)
//!        | property count u32 | (identifier u8 | kind u8 | value)...
//! ```
//! Every length is checked against what is left before anything is allocated, so a damaged
//! or hostile snapshot is an error and never a panic or a huge allocation.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{OutMsg, OutState, Session, SessionError};
use crate::protocol::{Properties, Property, PropertyValue, ProtocolVersion, Publish, QoS};

const MAGIC: &[u8; 8] = b"PAHORSES";
const FORMAT: u8 = 1;

/// What [`read`] found, checked for consistency.
pub(super) struct Durable {
    pub(super) version: ProtocolVersion,
    pub(super) last_id: u16,
    pub(super) outbound: Vec<OutMsg>,
    pub(super) inbound_qos2: Vec<u16>,
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    // Topic, payload and property values all came through the codec, far below 4 GiB.
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

fn state_code(s: OutState) -> u8 {
    match s {
        OutState::Queued => 0,
        OutState::AwaitPubAck => 1,
        OutState::AwaitPubRec => 2,
        OutState::AwaitPubComp => 3,
    }
}

/// Serialize the durable part of `s`.
pub(super) fn write(s: &Session) -> Vec<u8> {
    let mut body = Vec::new();
    body.push(s.version as u8);
    body.extend_from_slice(&s.ids.last().to_be_bytes());
    body.extend_from_slice(&(s.outbound.len() as u32).to_be_bytes());
    for m in s.outbound.values() {
        body.extend_from_slice(&m.id.to_be_bytes());
        body.push(m.msg.qos as u8);
        body.push(state_code(m.state));
        body.push(u8::from(m.sent_before) | (u8::from(m.msg.retain) << 1));
        put_bytes(&mut body, m.msg.topic.as_bytes());
        put_bytes(&mut body, &m.msg.payload);
        body.extend_from_slice(&(m.msg.properties.0.len() as u32).to_be_bytes());
        for p in &m.msg.properties.0 {
            body.push(p.id);
            match &p.value {
                PropertyValue::Byte(v) => {
                    body.push(0);
                    body.push(*v);
                }
                PropertyValue::TwoByte(v) => {
                    body.push(1);
                    body.extend_from_slice(&v.to_be_bytes());
                }
                PropertyValue::FourByte(v) => {
                    body.push(2);
                    body.extend_from_slice(&v.to_be_bytes());
                }
                PropertyValue::VarInt(v) => {
                    body.push(3);
                    body.extend_from_slice(&v.to_be_bytes());
                }
                PropertyValue::Binary(b) => {
                    body.push(4);
                    put_bytes(&mut body, b);
                }
                PropertyValue::Utf8(t) => {
                    body.push(5);
                    put_bytes(&mut body, t.as_bytes());
                }
                PropertyValue::Pair(k, v) => {
                    body.push(6);
                    put_bytes(&mut body, k.as_bytes());
                    put_bytes(&mut body, v.as_bytes());
                }
            }
        }
    }
    body.extend_from_slice(&(s.inbound_qos2.len() as u32).to_be_bytes());
    for id in s.inbound_qos2.keys() {
        body.extend_from_slice(&id.to_be_bytes());
    }
    let mut out = Vec::with_capacity(body.len() + 17);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&fnv1a(&body).to_be_bytes());
    out
}

/// A cursor over the snapshot that fails instead of reading past the end.
struct Reader<'b> {
    buf: &'b [u8],
}

type R<T> = Result<T, SessionError>;

const TRUNCATED: SessionError = SessionError::Snapshot("truncated");

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> R<&'b [u8]> {
        if n > self.buf.len() {
            return Err(TRUNCATED);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> R<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> R<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn bytes(&mut self) -> R<&'b [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn string(&mut self) -> R<String> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| SessionError::Snapshot("string not UTF-8"))
    }
}

/// Parse and check a snapshot made by [`write`].
pub(super) fn read(bytes: &[u8]) -> Result<Durable, SessionError> {
    let mut r = Reader { buf: bytes };
    if r.take(MAGIC.len())
        .map_err(|_| SessionError::Snapshot("too short"))?
        != MAGIC
    {
        return Err(SessionError::Snapshot("not a session snapshot"));
    }
    if r.u8()? != FORMAT {
        return Err(SessionError::Snapshot("unknown snapshot format version"));
    }
    let len = r.u32()? as usize;
    let body = r.take(len)?;
    let sum = r.u32()?;
    if !r.buf.is_empty() {
        return Err(SessionError::Snapshot("bytes after the end"));
    }
    if fnv1a(body) != sum {
        return Err(SessionError::Snapshot("checksum mismatch"));
    }
    let mut r = Reader { buf: body };
    let version = ProtocolVersion::from_level(r.u8()?)
        .ok_or(SessionError::Snapshot("unknown protocol level"))?;
    let last_id = r.u16()?;
    let n_out = r.u32()?;
    if n_out > 65535 {
        return Err(SessionError::Snapshot("more than 65535 messages"));
    }
    let mut seen = HashSet::new();
    let mut outbound = Vec::new();
    for _ in 0..n_out {
        let id = r.u16()?;
        if id == 0 || !seen.insert(id) {
            return Err(SessionError::Snapshot("packet id 0 or repeated"));
        }
        let qos = match r.u8()? {
            1 => QoS::AtLeastOnce,
            2 => QoS::ExactlyOnce,
            _ => return Err(SessionError::Snapshot("bad QoS")),
        };
        let state = match (r.u8()?, qos) {
            (0, _) => OutState::Queued,
            (1, QoS::AtLeastOnce) => OutState::AwaitPubAck,
            (2, QoS::ExactlyOnce) => OutState::AwaitPubRec,
            (3, QoS::ExactlyOnce) => OutState::AwaitPubComp,
            _ => return Err(SessionError::Snapshot("state does not fit the QoS")),
        };
        let flags = r.u8()?;
        if flags > 3 {
            return Err(SessionError::Snapshot("unknown flags"));
        }
        let topic = r.string()?;
        let payload = r.bytes()?.to_vec();
        let n_props = r.u32()?;
        let mut props = Vec::new();
        for _ in 0..n_props {
            let id = r.u8()?;
            let value = match r.u8()? {
                0 => PropertyValue::Byte(r.u8()?),
                1 => PropertyValue::TwoByte(r.u16()?),
                2 => PropertyValue::FourByte(r.u32()?),
                3 => PropertyValue::VarInt(r.u32()?),
                4 => PropertyValue::Binary(Cow::Owned(r.bytes()?.to_vec())),
                5 => PropertyValue::Utf8(Cow::Owned(r.string()?)),
                6 => {
                    let k = r.string()?;
                    PropertyValue::Pair(Cow::Owned(k), Cow::Owned(r.string()?))
                }
                _ => return Err(SessionError::Snapshot("unknown property kind")),
            };
            props.push(Property { id, value });
        }
        outbound.push(OutMsg {
            id,
            state,
            sent_before: flags & 1 != 0,
            msg: Publish {
                dup: false,
                qos,
                retain: flags & 2 != 0,
                topic: Cow::Owned(topic),
                packet_id: id,
                properties: Properties(props),
                payload: Cow::Owned(payload),
            },
        });
    }
    let n_in = r.u32()?;
    if n_in > 65535 {
        return Err(SessionError::Snapshot("more than 65535 inbound ids"));
    }
    let mut seen = HashSet::new();
    let mut inbound_qos2 = Vec::new();
    for _ in 0..n_in {
        let id = r.u16()?;
        if id == 0 || !seen.insert(id) {
            return Err(SessionError::Snapshot("inbound packet id 0 or repeated"));
        }
        inbound_qos2.push(id);
    }
    if !r.buf.is_empty() {
        return Err(SessionError::Snapshot("bytes left in the body"));
    }
    Ok(Durable {
        version,
        last_id,
        outbound,
        inbound_qos2,
    })
}
