//! The client's trace lines. At PROTOCOL level a line per packet, in the words Paho's trace
//! uses, so that `--trace protocol` and MQTT_C_CLIENT_TRACE output read the same with either
//! library: `<socket> <client id> -> PUBLISH msgid: 1 qos: 1 retained: 0 rc 0 payload
//! len(5): hello`. Below it, our own words: the steps (MINIMUM), the callbacks (MEDIUM) and
//! the socket I/O (MAXIMUM). Each helper checks the level before it formats anything.

use std::io;

use super::{Message, Notice};
use crate::net::Endpoint;
use crate::protocol::{Packet, SubscriptionOptions};
use crate::trace::{self, Level};

/// How much of a payload the trace shows.
const PAYLOAD_SHOWN: usize = 20;

fn payload_text(p: &[u8]) -> String {
    p.iter()
        .take(PAYLOAD_SHOWN)
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

/// A packet we sent (the `(0)` is the write's result, as Paho prints it).
pub fn sent(p: &Packet<'_>) -> String {
    match p {
        Packet::Connect(c) => format!(
            "CONNECT version {} clean: {} (0)",
            c.version as u8, c.clean_start as u8
        ),
        // Paho words a QoS 0 PUBLISH differently: no msgid, "rc:".
        Packet::Publish(m) if m.packet_id == 0 => format!(
            "PUBLISH qos: {} retained: {} rc: 0 payload len({}): {}",
            m.qos as u8,
            m.retain as u8,
            m.payload.len(),
            payload_text(&m.payload)
        ),
        Packet::Publish(m) => format!(
            "PUBLISH msgid: {} qos: {} retained: {} rc 0 payload len({}): {}",
            m.packet_id,
            m.qos as u8,
            m.retain as u8,
            m.payload.len(),
            payload_text(&m.payload)
        ),
        Packet::PubAck(a) => format!("PUBACK msgid: {} (0)", a.packet_id),
        Packet::PubRec(a) => format!("PUBREC msgid: {} (0)", a.packet_id),
        Packet::PubRel(a) => format!("PUBREL msgid: {} (0)", a.packet_id),
        Packet::PubComp(a) => format!("PUBCOMP msgid {} (0)", a.packet_id),
        Packet::Subscribe(s) => format!("SUBSCRIBE msgid: {} (0)", s.packet_id),
        Packet::Unsubscribe(u) => format!("UNSUBSCRIBE msgid: {} (0)", u.packet_id),
        Packet::PingReq => "PINGREQ (0)".to_string(),
        Packet::Disconnect(_) => "DISCONNECT (0)".to_string(),
        Packet::Auth(a) => format!("AUTH rc: {} (0)", a.reason),
        other => format!("{} (0)", other.name()),
    }
}

/// A packet we received.
pub fn received(p: &Packet<'_>) -> String {
    match p {
        Packet::ConnAck(c) => format!("CONNACK rc: {}", c.code),
        Packet::Publish(m) => format!(
            "PUBLISH msgid: {} qos: {} retained: {} payload len({}): {}",
            m.packet_id,
            m.qos as u8,
            m.retain as u8,
            m.payload.len(),
            payload_text(&m.payload)
        ),
        Packet::PubAck(a) => format!("PUBACK msgid: {}", a.packet_id),
        Packet::PubRec(a) => format!("PUBREC msgid: {}", a.packet_id),
        Packet::PubRel(a) => format!("PUBREL msgid {}", a.packet_id),
        Packet::PubComp(a) => format!("PUBCOMP msgid:{}", a.packet_id),
        Packet::SubAck(a) => format!("SUBACK msgid: {}", a.packet_id),
        Packet::UnsubAck(a) => format!("UNSUBACK msgid: {}", a.packet_id),
        Packet::PingResp => "PINGRESP".to_string(),
        Packet::Disconnect(d) => format!("DISCONNECT rc: {}", d.reason),
        Packet::Auth(a) => format!("AUTH rc: {}", a.reason),
        other => other.name().to_string(),
    }
}

/// MAXIMUM: one read or write on a socket and its result.
#[inline]
pub fn io(fd: i32, what: &str, len: Option<usize>, r: &io::Result<usize>) {
    if !trace::enabled(Level::Maximum) {
        return;
    }
    let result = match r {
        Ok(n) => format!("{n} bytes"),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => "would block".into(),
        Err(e) => format!("error: {e}"),
    };
    let asked = len.map_or(String::new(), |n| format!(" of {n} bytes"));
    trace::log(
        Level::Maximum,
        &format!("socket {fd}: {what}{asked}: {result}"),
    );
}

/// MINIMUM: the TCP connection is up.
pub fn tcp_connected(client_id: &str, stream: &std::net::TcpStream, ep: &Endpoint) {
    if !trace::enabled(Level::Minimum) {
        return;
    }
    use std::os::fd::AsRawFd;
    let peer = stream.peer_addr().map_or("?".into(), |a| a.to_string());
    trace::minimum(&format!(
        "{client_id}: socket {} connected to {peer} ({}:{})",
        stream.as_raw_fd(),
        ep.host,
        ep.port
    ));
}

/// MINIMUM: a SUBSCRIBE is about to go out.
pub fn subscribing(client_id: &str, filters: &[(String, SubscriptionOptions)]) {
    if !trace::enabled(Level::Minimum) {
        return;
    }
    let list: Vec<String> = filters
        .iter()
        .map(|(t, o)| format!("{t} (qos {})", o.qos as u8))
        .collect();
    trace::minimum(&format!("{client_id}: subscribing to {}", list.join(", ")));
}

/// MINIMUM: a message arrived for the application.
pub fn message_in(client_id: &str, m: &Message, to_callback: bool) {
    crate::trace!(
        Minimum,
        "{client_id}: message msgid {} on {} (qos {}, {} bytes) {}",
        m.msgid,
        m.topic,
        m.qos,
        m.payload.len(),
        if to_callback {
            "queued for messageArrived"
        } else {
            "kept for receive"
        }
    );
}

/// What the application's callbacks are told, for the MEDIUM lines around them.
fn notice_name(n: &Notice) -> &'static str {
    match n {
        Notice::ConnectionLost { .. } => "connection lost",
        Notice::Message(_) => "message arrived",
        Notice::DeliveryComplete(_) => "delivery complete",
        Notice::Published { .. } => "published",
        Notice::OpDone { .. } => "operation done",
        Notice::Disconnected { .. } => "disconnected",
    }
}

/// MEDIUM: a callback is about to run; what `callback_returned` needs afterwards.
pub fn callback_starts(
    n: &Notice,
    client_id: impl FnOnce() -> String,
) -> Option<(String, &'static str)> {
    if !trace::enabled(Level::Medium) {
        return None;
    }
    let id = client_id();
    let what = notice_name(n);
    trace::log(
        Level::Medium,
        &format!("{id}: {what} callback starts on {}", trace::thread_name()),
    );
    Some((id, what))
}

/// MEDIUM: the callback returned.
pub fn callback_returned(started: Option<(String, &'static str)>) {
    if let Some((id, what)) = started {
        trace::log(Level::Medium, &format!("{id}: {what} callback returned"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Ack, ProtocolVersion, Publish, QoS};
    use std::borrow::Cow;

    #[test]
    fn lines_read_as_pahos() {
        let p = Packet::Publish(Publish {
            dup: false,
            qos: QoS::ExactlyOnce,
            retain: false,
            topic: Cow::Borrowed("x"),
            packet_id: 1,
            properties: Default::default(),
            payload: Cow::Borrowed(b"hello"),
        });
        assert_eq!(
            sent(&p),
            "PUBLISH msgid: 1 qos: 2 retained: 0 rc 0 payload len(5): hello"
        );
        assert_eq!(
            received(&p),
            "PUBLISH msgid: 1 qos: 2 retained: 0 payload len(5): hello"
        );
        let a = Ack {
            packet_id: 2,
            reason: 0,
            properties: Default::default(),
        };
        assert_eq!(received(&Packet::PubRel(a.clone())), "PUBREL msgid 2");
        assert_eq!(sent(&Packet::PubComp(a.clone())), "PUBCOMP msgid 2 (0)");
        assert_eq!(received(&Packet::PubComp(a)), "PUBCOMP msgid:2");
        let _ = ProtocolVersion::V311;
    }
}
