//! Unit tests of the session in simulated time: a base `Instant` plus durations, packets
//! built by hand, the session's output decoded with the codec and described in one line each.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use super::*;
use crate::protocol::{decode, Ack, ConnAck, Connect, Packet, Property, SubAck};

const V3: ProtocolVersion = ProtocolVersion::V311;
const V5: ProtocolVersion = ProtocolVersion::V5;

/// One line per packet, enough to assert on order, ids, QoS and DUP.
fn describe(p: &Packet<'_>) -> String {
    let with_reason = |name: &str, a: &Ack<'_>| {
        if a.reason == 0 {
            format!("{name} {}", a.packet_id)
        } else {
            format!("{name} {} r{:02x}", a.packet_id, a.reason)
        }
    };
    match p {
        Packet::Connect(c) => format!("CONNECT clean{}", u8::from(c.clean_start)),
        Packet::Publish(p) => format!(
            "PUBLISH {} q{} d{} {}",
            p.packet_id,
            p.qos as u8,
            u8::from(p.dup),
            p.topic
        ),
        Packet::PubAck(a) => with_reason("PUBACK", a),
        Packet::PubRec(a) => with_reason("PUBREC", a),
        Packet::PubRel(a) => with_reason("PUBREL", a),
        Packet::PubComp(a) => with_reason("PUBCOMP", a),
        Packet::Subscribe(s) => format!("SUBSCRIBE {}", s.packet_id),
        Packet::Unsubscribe(s) => format!("UNSUBSCRIBE {}", s.packet_id),
        Packet::PingReq => "PINGREQ".to_string(),
        Packet::Disconnect(d) => format!("DISCONNECT {:02x}", d.reason),
        other => other.name().to_string(),
    }
}

/// A session driven in simulated time.
struct H {
    s: Session,
    t0: Instant,
    now: Instant,
    v: ProtocolVersion,
}

impl H {
    fn new(v: ProtocolVersion) -> H {
        H::with(v, SessionConfig::default())
    }

    fn with(v: ProtocolVersion, config: SessionConfig) -> H {
        let t0 = Instant::now();
        H {
            s: Session::new(config),
            t0,
            now: t0,
            v,
        }
    }

    /// Move simulated time to `t0 + ms`.
    fn at(&mut self, ms: u64) -> Instant {
        self.now = self.t0 + Duration::from_millis(ms);
        self.now
    }

    fn connect_packet(&self, clean: bool, keep_alive: u16) -> Connect<'static> {
        Connect {
            version: self.v,
            client_id: Cow::Borrowed("test"),
            clean_start: clean,
            keep_alive,
            username: None,
            password: None,
            will: None,
            properties: Properties::default(),
        }
    }

    /// CONNECT written, CONNACK fed; returns the Connected event.
    fn connect(&mut self, clean: bool, session_present: bool) -> Event {
        self.connect_with(clean, 0, session_present, Properties::default())
    }

    fn connect_with(
        &mut self,
        clean: bool,
        keep_alive: u16,
        session_present: bool,
        props: Properties<'static>,
    ) -> Event {
        let c = self.connect_packet(clean, keep_alive);
        self.s
            .connect(c, Duration::from_secs(30), self.now)
            .unwrap();
        assert_eq!(self.s.state(), ConnState::Connecting);
        assert_eq!(self.sent(), [format!("CONNECT clean{}", u8::from(clean))]);
        self.feed(Packet::ConnAck(ConnAck {
            session_present,
            code: 0,
            properties: props,
        }))
        .unwrap();
        assert_eq!(self.s.state(), ConnState::Connected);
        let ev = self.s.poll_event().expect("Connected event");
        assert!(matches!(ev, Event::Connected { .. }), "{ev:?}");
        ev
    }

    /// Everything the session has to write, in pieces of at most `chunk` bytes (large
    /// payloads come as pieces of their own), marked written.
    fn drain_output(&mut self, chunk: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        loop {
            let out = self.s.pending_output();
            if out.is_empty() {
                return bytes;
            }
            let n = out.len().min(chunk);
            bytes.extend_from_slice(&out[..n]);
            self.s.consume_output(n, self.now);
        }
    }

    /// As [`H::drain_output`], through the vectored pieces, each write taking at most
    /// `chunk` bytes across them.
    fn drain_vectored(&mut self, chunk: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        loop {
            let mut bufs = [std::io::IoSlice::new(&[]); 3];
            let k = self.s.pending_output_vectored(&mut bufs);
            if k == 0 {
                return bytes;
            }
            let mut n = 0;
            for b in &bufs[..k] {
                let take = b.len().min(chunk - n);
                bytes.extend_from_slice(&b[..take]);
                n += take;
                if n == chunk {
                    break;
                }
            }
            self.s.consume_output(n, self.now);
        }
    }

    /// Everything the session has to write, decoded and described, and marked written.
    fn sent(&mut self) -> Vec<String> {
        let bytes = self.drain_output(usize::MAX);
        let mut out = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let (p, n) = decode(rest, self.v, usize::MAX)
                .expect("session output decodes")
                .expect("session output is whole packets");
            out.push(describe(&p));
            rest = &rest[n..];
        }
        out
    }

    /// The PUBLISH packets in the pending output, owned; the output is marked written.
    fn sent_publishes(&mut self) -> Vec<Publish<'static>> {
        let bytes = self.drain_output(usize::MAX);
        let mut out = Vec::new();
        let mut rest = &bytes[..];
        while let Some((p, n)) = decode(rest, self.v, usize::MAX).unwrap() {
            if let Packet::Publish(p) = p {
                out.push(p.into_owned());
            }
            rest = &rest[n..];
        }
        out
    }

    fn feed(&mut self, p: Packet<'_>) -> Result<Option<Publish<'static>>, SessionError> {
        let now = self.now;
        self.s
            .handle_packet(p, now)
            .map(|o| o.map(Publish::into_owned))
    }

    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.s.poll_event()).collect()
    }

    fn publish(&mut self, topic: &str, qos: u8) -> Result<u16, SessionError> {
        let now = self.now;
        self.s.publish(msg(topic, qos), now)
    }

    /// Empty the journal of durable changes (what came before the step under test).
    fn take_journal_for_test(&mut self) {
        self.s.take_journal();
    }

    fn drop_conn(&mut self) -> Vec<u16> {
        let now = self.now;
        let failed = self.s.connection_lost(now);
        assert_eq!(self.s.state(), ConnState::Disconnected);
        assert!(self.s.pending_output().is_empty());
        failed
    }

    /// Reconnect without clean start; the server says whether it kept the session.
    fn reconnect(&mut self, session_present: bool) -> Event {
        self.connect(false, session_present)
    }
}

fn msg(topic: &str, qos: u8) -> Publish<'static> {
    Publish {
        dup: false,
        qos: QoS::from_u8(qos).unwrap(),
        retain: false,
        topic: Cow::Owned(topic.to_string()),
        packet_id: 0,
        properties: Properties::default(),
        payload: Cow::Owned(format!("payload of {topic}").into_bytes()),
    }
}

fn inbound(id: u16, qos: u8, dup: bool, topic: &str) -> Packet<'static> {
    let mut p = msg(topic, qos);
    p.packet_id = id;
    p.dup = dup;
    Packet::Publish(p)
}

fn a(id: u16) -> Ack<'static> {
    Ack {
        packet_id: id,
        reason: 0,
        properties: Properties::default(),
    }
}

fn ar(id: u16, reason: u8) -> Ack<'static> {
    Ack {
        packet_id: id,
        reason,
        properties: Properties::default(),
    }
}

fn props(list: &[(u8, PropertyValue<'static>)]) -> Properties<'static> {
    Properties(
        list.iter()
            .map(|(id, v)| Property {
                id: *id,
                value: v.clone(),
            })
            .collect(),
    )
}

fn completed(ev: &[Event]) -> Vec<(u16, u8)> {
    ev.iter()
        .filter_map(|e| match e {
            Event::PublishComplete {
                packet_id, reason, ..
            } => Some((*packet_id, *reason)),
            _ => None,
        })
        .collect()
}

fn discarded(ev: &Event) -> Vec<u16> {
    match ev {
        Event::Connected { discarded, .. } => discarded.clone(),
        other => panic!("not Connected: {other:?}"),
    }
}

fn protocol_reason(r: Fed) -> u8 {
    match r {
        Err(SessionError::Protocol { reason, .. }) => reason,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

const ALL_VERSIONS: [ProtocolVersion; 3] = [ProtocolVersion::V31, V3, V5];

// ---------------------------------------------------------------- packet identifiers

#[test]
fn packet_ids_are_shared_by_publish_subscribe_and_unsubscribe() {
    let mut h = H::new(V5);
    h.connect(true, false);
    assert_eq!(h.publish("a", 1), Ok(1));
    let sub = h.s.subscribe(
        vec![("f/#".into(), sub_opts(1))],
        Properties::default(),
        h.now,
    );
    assert_eq!(sub, Ok(2));
    let unsub =
        h.s.unsubscribe(vec!["f/#".into()], Properties::default(), h.now);
    assert_eq!(unsub, Ok(3));
    assert_eq!(h.publish("b", 2), Ok(4));
    assert_eq!(h.publish("c", 0), Ok(0), "QoS 0 takes no id");
    assert_eq!(
        h.sent(),
        [
            "PUBLISH 1 q1 d0 a",
            "SUBSCRIBE 2",
            "UNSUBSCRIBE 3",
            "PUBLISH 4 q2 d0 b",
            "PUBLISH 0 q0 d0 c"
        ]
    );
}

fn sub_opts(qos: u8) -> SubscriptionOptions {
    SubscriptionOptions {
        qos: QoS::from_u8(qos).unwrap(),
        no_local: false,
        retain_as_published: false,
        retain_handling: 0,
    }
}

#[test]
fn an_id_in_flight_is_never_reused_and_exhaustion_is_an_error() {
    let mut h = H::new(V3);
    h.connect(true, false);
    for expect in 1..=65535u16 {
        assert_eq!(h.publish("t", 1), Ok(expect));
    }
    assert_eq!(h.publish("t", 1), Err(SessionError::NoPacketIdAvailable));
    let sub = h.s.subscribe(
        vec![("f".into(), sub_opts(0))],
        Properties::default(),
        h.now,
    );
    assert_eq!(sub, Err(SessionError::NoPacketIdAvailable));
    // QoS 0 needs no id and still goes.
    assert_eq!(h.publish("t", 0), Ok(0));
    h.sent();
    h.feed(Packet::PubAck(a(777))).unwrap();
    // The only free id is the one just acknowledged.
    assert_eq!(h.publish("t", 1), Ok(777));
    assert_eq!(h.publish("t", 1), Err(SessionError::NoPacketIdAvailable));
    assert_eq!(h.sent(), ["PUBLISH 777 q1 d0 t"]);
}

#[test]
fn ids_of_completed_flows_are_reused_only_after_the_others() {
    let mut h = H::new(V3);
    h.connect(true, false);
    assert_eq!(h.publish("t", 1), Ok(1));
    h.feed(Packet::PubAck(a(1))).unwrap();
    assert_eq!(h.publish("t", 1), Ok(2));
    assert_eq!(h.publish("t", 2), Ok(3));
}

#[test]
fn commands_need_a_connection() {
    let mut h = H::new(V3);
    assert_eq!(h.publish("t", 1), Err(SessionError::NotConnected));
    assert_eq!(h.publish("t", 0), Err(SessionError::NotConnected));
    let c = h.connect_packet(true, 0);
    h.s.connect(c, Duration::ZERO, h.now).unwrap();
    assert_eq!(h.publish("t", 1), Err(SessionError::NotConnected));
    let sub = h.s.subscribe(
        vec![("f".into(), sub_opts(0))],
        Properties::default(),
        h.now,
    );
    assert_eq!(sub, Err(SessionError::NotConnected));
    let c = h.connect_packet(true, 0);
    assert!(matches!(
        h.s.connect(c, Duration::ZERO, h.now),
        Err(SessionError::NotAllowed(_))
    ));
}

#[test]
fn bad_fields_are_codec_errors_and_take_no_id() {
    let mut h = H::new(V3);
    h.connect(true, false);
    assert!(matches!(h.publish("a/+", 1), Err(SessionError::Codec(_))));
    let sub = h.s.subscribe(
        vec![("a/#/b".into(), sub_opts(0))],
        Properties::default(),
        h.now,
    );
    assert!(matches!(sub, Err(SessionError::Codec(_))));
    assert!(h.sent().is_empty());
    assert_eq!(h.publish("a", 1), Ok(1));
}

// ---------------------------------------------------------------- QoS flows, one connection

#[test]
fn outbound_qos1_completes_on_puback() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(true, false);
        let id = h.publish("q1", 1).unwrap();
        assert_eq!(h.sent(), ["PUBLISH 1 q1 d0 q1"]);
        assert_eq!(h.s.pending_publish_ids(), [id]);
        h.feed(Packet::PubAck(a(id))).unwrap();
        assert_eq!(completed(&h.events()), [(id, 0)]);
        assert!(h.s.pending_publish_ids().is_empty());
        assert!(h.sent().is_empty());
    }
}

#[test]
fn outbound_qos2_completes_on_pubcomp_after_pubrel() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(true, false);
        let id = h.publish("q2", 2).unwrap();
        assert_eq!(h.sent(), ["PUBLISH 1 q2 d0 q2"]);
        h.feed(Packet::PubRec(a(id))).unwrap();
        assert_eq!(h.sent(), ["PUBREL 1"]);
        assert!(h.events().is_empty());
        // A repeated PUBREC is answered with PUBREL again.
        h.feed(Packet::PubRec(a(id))).unwrap();
        assert_eq!(h.sent(), ["PUBREL 1"]);
        h.feed(Packet::PubComp(a(id))).unwrap();
        assert_eq!(completed(&h.events()), [(id, 0)]);
        assert!(h.s.pending_publish_ids().is_empty());
    }
}

#[test]
fn v5_pubrec_with_failure_ends_the_flow_without_pubrel() {
    let mut h = H::new(V5);
    h.connect(true, false);
    let id = h.publish("q2", 2).unwrap();
    h.sent();
    h.feed(Packet::PubRec(ar(id, 0x87))).unwrap();
    assert!(h.sent().is_empty());
    assert_eq!(completed(&h.events()), [(id, 0x87)]);
    assert_eq!(h.publish("next", 2), Ok(2));
}

#[test]
fn v5_puback_reason_is_reported() {
    let mut h = H::new(V5);
    h.connect(true, false);
    let id = h.publish("q1", 1).unwrap();
    h.feed(Packet::PubAck(ar(id, 0x10))).unwrap();
    assert_eq!(completed(&h.events()), [(id, 0x10)]);
}

#[test]
fn inbound_qos0_and_qos1_are_delivered_and_qos1_acknowledged() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(true, false);
        let m = h.feed(inbound(0, 0, false, "zero")).unwrap().unwrap();
        assert_eq!(m.topic, "zero");
        assert!(h.sent().is_empty());
        let m = h.feed(inbound(9, 1, false, "one")).unwrap().unwrap();
        assert_eq!((m.topic.as_ref(), m.packet_id), ("one", 9));
        assert_eq!(m.payload.as_ref(), b"payload of one");
        assert_eq!(h.sent(), ["PUBACK 9"]);
        // QoS 1 is at least once: a redelivery is delivered again.
        assert!(h.feed(inbound(9, 1, true, "one")).unwrap().is_some());
        assert_eq!(h.sent(), ["PUBACK 9"]);
    }
}

#[test]
fn inbound_qos2_is_delivered_exactly_once() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(true, false);
        assert!(h.feed(inbound(5, 2, false, "two")).unwrap().is_some());
        assert_eq!(h.sent(), ["PUBREC 5"]);
        // The server did not see our PUBREC and sends again: acknowledged, not delivered.
        assert!(h.feed(inbound(5, 2, true, "two")).unwrap().is_none());
        assert_eq!(h.sent(), ["PUBREC 5"]);
        assert!(h.feed(Packet::PubRel(a(5))).unwrap().is_none());
        assert_eq!(h.sent(), ["PUBCOMP 5"]);
        // The flow is over: the id may carry a new message, which is delivered.
        assert!(h.feed(inbound(5, 2, false, "again")).unwrap().is_some());
        assert_eq!(h.sent(), ["PUBREC 5"]);
    }
}

#[test]
fn pubrel_for_an_unknown_id_is_answered() {
    let mut h = H::new(V5);
    h.connect(true, false);
    h.feed(Packet::PubRel(a(3))).unwrap();
    assert_eq!(h.sent(), ["PUBCOMP 3 r92"]);
    let mut h = H::new(V3);
    h.connect(true, false);
    h.feed(Packet::PubRel(a(3))).unwrap();
    assert_eq!(h.sent(), ["PUBCOMP 3"]);
}

// ---------------------------------------------------------------- drop at every step

/// Where in an outbound flow the connection drops.
#[derive(Debug, Clone, Copy)]
enum OutStep {
    /// PUBLISH queued, not yet written.
    PublishQueued,
    /// PUBLISH written.
    PublishSent,
    /// QoS 2: PUBREC received, PUBREL queued, not written.
    PubRecReceived,
    /// QoS 2: PUBREL written.
    PubRelSent,
}

#[test]
fn outbound_flows_survive_a_drop_at_every_step() {
    let cases = [
        (1, OutStep::PublishQueued),
        (1, OutStep::PublishSent),
        (2, OutStep::PublishQueued),
        (2, OutStep::PublishSent),
        (2, OutStep::PubRecReceived),
        (2, OutStep::PubRelSent),
    ];
    for v in ALL_VERSIONS {
        for (qos, step) in cases {
            for session_present in [true, false] {
                let what = format!("{v:?} QoS {qos} drop at {step:?} session {session_present}");
                let mut h = H::new(v);
                h.connect(false, false);
                let id = h.publish("m", qos).unwrap();
                if !matches!(step, OutStep::PublishQueued) {
                    assert_eq!(h.sent(), [format!("PUBLISH 1 q{qos} d0 m")], "{what}");
                }
                if matches!(step, OutStep::PubRecReceived | OutStep::PubRelSent) {
                    h.feed(Packet::PubRec(a(id))).unwrap();
                }
                if matches!(step, OutStep::PubRelSent) {
                    assert_eq!(h.sent(), ["PUBREL 1"], "{what}");
                }
                h.at(1000);
                assert!(h.drop_conn().is_empty());
                assert_eq!(h.s.pending_publish_ids(), [id], "{what}");
                let ev = h.reconnect(session_present);
                if !session_present {
                    assert_eq!(discarded(&ev), [id], "{what}");
                    assert!(h.sent().is_empty(), "{what}");
                    assert!(h.s.pending_publish_ids().is_empty(), "{what}");
                    assert_eq!(h.publish("n", qos), Ok(2), "{what}: id 1 is free again");
                    continue;
                }
                assert!(discarded(&ev).is_empty(), "{what}");
                let expect = if matches!(step, OutStep::PubRecReceived | OutStep::PubRelSent) {
                    "PUBREL 1".to_string()
                } else {
                    format!("PUBLISH 1 q{qos} d1 m")
                };
                assert_eq!(h.sent(), [expect], "{what}");
                // The flow finishes normally on the new connection.
                if qos == 1 {
                    h.feed(Packet::PubAck(a(id))).unwrap();
                } else {
                    if matches!(step, OutStep::PublishQueued | OutStep::PublishSent) {
                        h.feed(Packet::PubRec(a(id))).unwrap();
                        assert_eq!(h.sent(), ["PUBREL 1"], "{what}");
                    }
                    h.feed(Packet::PubComp(a(id))).unwrap();
                }
                assert_eq!(completed(&h.events()), [(id, 0)], "{what}");
                assert!(h.s.pending_publish_ids().is_empty(), "{what}");
            }
        }
    }
}

/// Where in an inbound flow the connection drops.
#[derive(Debug, Clone, Copy)]
enum InStep {
    /// PUBLISH received and delivered, our PUBACK/PUBREC not written.
    AckQueued,
    /// Our PUBACK/PUBREC written.
    AckSent,
    /// QoS 2: PUBREL received, our PUBCOMP not written.
    PubCompQueued,
}

#[test]
fn inbound_flows_survive_a_drop_at_every_step() {
    let cases = [
        (1, InStep::AckQueued),
        (1, InStep::AckSent),
        (2, InStep::AckQueued),
        (2, InStep::AckSent),
        (2, InStep::PubCompQueued),
    ];
    for v in ALL_VERSIONS {
        for (qos, step) in cases {
            for session_present in [true, false] {
                let what = format!("{v:?} QoS {qos} drop at {step:?} session {session_present}");
                let mut h = H::new(v);
                h.connect(false, false);
                assert!(h.feed(inbound(7, qos, false, "in")).unwrap().is_some());
                let ack = if qos == 1 { "PUBACK 7" } else { "PUBREC 7" };
                if !matches!(step, InStep::AckQueued) {
                    assert_eq!(h.sent(), [ack], "{what}");
                }
                if matches!(step, InStep::PubCompQueued) {
                    h.feed(Packet::PubRel(a(7))).unwrap();
                }
                h.drop_conn();
                h.reconnect(session_present);
                assert!(
                    h.sent().is_empty(),
                    "{what}: the client resends nothing inbound"
                );
                if !session_present {
                    // No session: the server starts over, and so do we.
                    let again = h.feed(inbound(7, qos, false, "in")).unwrap();
                    assert!(again.is_some(), "{what}");
                    assert_eq!(h.sent(), [ack], "{what}");
                    continue;
                }
                match (qos, step) {
                    (1, _) => {
                        // The server resends with DUP; at least once means delivered again.
                        assert!(h.feed(inbound(7, 1, true, "in")).unwrap().is_some());
                        assert_eq!(h.sent(), ["PUBACK 7"], "{what}");
                    }
                    (_, InStep::AckQueued) => {
                        // The server never saw our PUBREC and resends the PUBLISH.
                        assert!(h.feed(inbound(7, 2, true, "in")).unwrap().is_none());
                        assert_eq!(h.sent(), ["PUBREC 7"], "{what}");
                        h.feed(Packet::PubRel(a(7))).unwrap();
                        assert_eq!(h.sent(), ["PUBCOMP 7"], "{what}");
                    }
                    (_, InStep::AckSent) => {
                        h.feed(Packet::PubRel(a(7))).unwrap();
                        assert_eq!(h.sent(), ["PUBCOMP 7"], "{what}");
                    }
                    (_, InStep::PubCompQueued) => {
                        h.feed(Packet::PubRel(a(7))).unwrap();
                        let comp = if v == V5 {
                            "PUBCOMP 7 r92"
                        } else {
                            "PUBCOMP 7"
                        };
                        assert_eq!(h.sent(), [comp], "{what}");
                    }
                }
                assert!(h.events().is_empty(), "{what}");
            }
        }
    }
}

#[test]
fn resend_after_reconnect_keeps_the_original_order() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(false, false);
        let a1 = h.publish("a", 1).unwrap();
        let b2 = h.publish("b", 2).unwrap();
        let c2 = h.publish("c", 2).unwrap();
        let d1 = h.publish("d", 1).unwrap();
        h.sent();
        h.feed(Packet::PubRec(a(b2))).unwrap();
        h.feed(Packet::PubAck(a(d1))).unwrap();
        h.sent();
        h.events();
        h.drop_conn();
        h.reconnect(true);
        assert_eq!(
            h.sent(),
            ["PUBLISH 1 q1 d1 a", "PUBREL 2", "PUBLISH 3 q2 d1 c"]
        );
        assert_eq!(h.s.pending_publish_ids(), [a1, b2, c2]);
        // Drop again before anything is acknowledged: the same again.
        h.drop_conn();
        h.reconnect(true);
        assert_eq!(
            h.sent(),
            ["PUBLISH 1 q1 d1 a", "PUBREL 2", "PUBLISH 3 q2 d1 c"]
        );
        let p = h.sent_publishes();
        assert!(p.is_empty());
    }
}

#[test]
fn resent_publish_keeps_payload_and_properties() {
    let mut h = H::new(V5);
    h.connect(false, false);
    let mut m = msg("p", 1);
    m.retain = true;
    m.properties = props(&[
        (
            prop_id::CONTENT_TYPE,
            PropertyValue::Utf8("text/plain".into()),
        ),
        (
            prop_id::USER_PROPERTY,
            PropertyValue::Pair("k".into(), "v".into()),
        ),
    ]);
    h.s.publish(m.clone(), h.now).unwrap();
    let first = h.sent_publishes();
    h.drop_conn();
    h.reconnect(true);
    let again = h.sent_publishes();
    assert_eq!(again.len(), 1);
    let mut expect = first[0].clone();
    expect.dup = true;
    assert_eq!(again[0], expect);
    assert_eq!(again[0].payload, m.payload);
    assert_eq!(again[0].properties, m.properties);
    assert!(again[0].retain);
}

#[test]
fn clean_start_discards_everything_at_connect() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(false, false);
        let x = h.publish("x", 1).unwrap();
        let y = h.publish("y", 2).unwrap();
        h.feed(inbound(4, 2, false, "in")).unwrap();
        h.sent();
        h.drop_conn();
        let c = h.connect_packet(true, 0);
        h.s.connect(c, Duration::ZERO, h.now).unwrap();
        assert!(h.s.pending_publish_ids().is_empty());
        h.sent();
        h.feed(Packet::ConnAck(ConnAck {
            session_present: false,
            code: 0,
            properties: Properties::default(),
        }))
        .unwrap();
        let ev = h.events();
        assert_eq!(discarded(&ev[0]), [x, y]);
        assert!(h.sent().is_empty());
        // The inbound QoS 2 state went too: the same id is a new message.
        assert!(h.feed(inbound(4, 2, false, "in")).unwrap().is_some());
    }
}

#[test]
fn session_present_after_clean_start_is_a_protocol_error() {
    let mut h = H::new(V5);
    let c = h.connect_packet(true, 0);
    h.s.connect(c, Duration::ZERO, h.now).unwrap();
    h.sent();
    let r = h.feed(Packet::ConnAck(ConnAck {
        session_present: true,
        code: 0,
        properties: Properties::default(),
    }));
    assert_eq!(protocol_reason(r), 0x82);
    assert_eq!(h.sent(), ["DISCONNECT 82"]);
}

#[test]
fn subscribe_and_unsubscribe_report_their_codes() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(true, false);
        let filters = vec![("a".into(), sub_opts(1)), ("b/+".into(), sub_opts(2))];
        let s =
            h.s.subscribe(filters, Properties::default(), h.now)
                .unwrap();
        let u =
            h.s.unsubscribe(vec!["a".into()], Properties::default(), h.now)
                .unwrap();
        assert_eq!(
            h.sent(),
            [format!("SUBSCRIBE {s}"), format!("UNSUBSCRIBE {u}")]
        );
        h.feed(Packet::SubAck(SubAck {
            packet_id: s,
            properties: Properties::default(),
            codes: vec![1, 0x80],
        }))
        .unwrap();
        let codes = if v == V5 { vec![0x11] } else { vec![] };
        h.feed(Packet::UnsubAck(SubAck {
            packet_id: u,
            properties: Properties::default(),
            codes: codes.clone(),
        }))
        .unwrap();
        let ev = h.events();
        assert_eq!(
            ev,
            [
                Event::SubAck {
                    packet_id: s,
                    codes: vec![1, 0x80],
                    properties: Properties::default()
                },
                Event::UnsubAck {
                    packet_id: u,
                    codes,
                    properties: Properties::default()
                }
            ]
        );
        // Both ids are free again.
        assert_eq!(h.publish("t", 1), Ok(3));
    }
}

#[test]
fn requests_in_flight_fail_when_the_connection_drops() {
    let mut h = H::new(V3);
    h.connect(false, false);
    let p = h.publish("t", 1).unwrap();
    let s = h.s.subscribe(
        vec![("a".into(), sub_opts(1))],
        Properties::default(),
        h.now,
    );
    let u =
        h.s.unsubscribe(vec!["a".into()], Properties::default(), h.now);
    assert_eq!(h.drop_conn(), [s.unwrap(), u.unwrap()]);
    h.reconnect(true);
    assert_eq!(h.sent(), ["PUBLISH 1 q1 d1 t"]);
    // A late SUBACK for the failed request is for an id no longer in use.
    let r = h.feed(Packet::SubAck(SubAck {
        packet_id: 2,
        properties: Properties::default(),
        codes: vec![1],
    }));
    assert_eq!(protocol_reason(r), 0x82);
    assert_eq!(h.s.pending_publish_ids(), [p]);
}

// ---------------------------------------------------------------- keepalive

#[test]
fn idle_connection_sends_pingreq_every_keepalive() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect_with(true, 10, false, Properties::default());
        assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(10)));
        h.at(9_999);
        h.s.handle_timeout(h.now).unwrap();
        assert!(h.sent().is_empty());
        h.at(10_000);
        h.s.handle_timeout(h.now).unwrap();
        assert_eq!(h.sent(), ["PINGREQ"]);
        // Outstanding: no second PINGREQ, the deadline is the PINGRESP's.
        assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(25)));
        h.at(10_050);
        h.feed(Packet::PingResp).unwrap();
        assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(20)));
        h.at(20_000);
        h.s.handle_timeout(h.now).unwrap();
        assert_eq!(h.sent(), ["PINGREQ"]);
    }
}

#[test]
fn pingreq_when_nothing_received_even_while_sending() {
    // Paho pings when nothing was sent OR nothing received for the interval.
    let mut h = H::new(V3);
    h.connect_with(true, 3, false, Properties::default());
    for s in 1..=2u64 {
        h.at(s * 1000);
        h.publish("t", 0).unwrap();
        h.sent();
        h.s.handle_timeout(h.now).unwrap();
    }
    // Last sent at 2 s, last received (CONNACK) at 0 s: due at 3 s.
    assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(3)));
    h.at(3000);
    h.s.handle_timeout(h.now).unwrap();
    assert_eq!(h.sent(), ["PINGREQ"]);
}

#[test]
fn pingreq_when_nothing_sent_even_while_receiving() {
    let mut h = H::new(V3);
    h.connect_with(true, 3, false, Properties::default());
    for s in 1..=2u64 {
        h.at(s * 1000);
        h.feed(inbound(0, 0, false, "in")).unwrap();
    }
    assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(3)));
    h.at(3000);
    h.s.handle_timeout(h.now).unwrap();
    assert_eq!(h.sent(), ["PINGREQ"]);
}

#[test]
fn traffic_both_ways_postpones_the_ping() {
    let mut h = H::new(V3);
    h.connect_with(true, 3, false, Properties::default());
    h.at(2000);
    h.publish("t", 1).unwrap();
    h.sent();
    h.feed(Packet::PubAck(a(1))).unwrap();
    assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(5)));
    h.at(4000);
    h.s.handle_timeout(h.now).unwrap();
    assert!(h.sent().is_empty());
}

#[test]
fn no_pingresp_within_one_and_a_half_intervals_is_a_timeout() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect_with(true, 2, false, Properties::default());
        h.at(2000);
        h.s.handle_timeout(h.now).unwrap();
        assert_eq!(h.sent(), ["PINGREQ"]);
        h.at(4999);
        h.s.handle_timeout(h.now).unwrap();
        assert!(h.sent().is_empty());
        h.at(5000);
        assert_eq!(h.s.handle_timeout(h.now), Err(SessionError::Timeout));
        // Like Paho, a DISCONNECT goes out before the close.
        assert_eq!(h.sent(), ["DISCONNECT 00"]);
        assert_eq!(h.s.state(), ConnState::Disconnecting);
        assert_eq!(h.s.poll_timeout(), None);
        assert_eq!(h.s.handle_timeout(h.now), Ok(()));
    }
}

#[test]
fn keepalive_zero_never_pings() {
    let mut h = H::new(V3);
    h.connect_with(true, 0, false, Properties::default());
    assert_eq!(h.s.poll_timeout(), None);
    h.at(1_000_000);
    h.s.handle_timeout(h.now).unwrap();
    assert!(h.sent().is_empty());
}

#[test]
fn server_keep_alive_replaces_ours() {
    let mut h = H::new(V5);
    let p = props(&[(prop_id::SERVER_KEEP_ALIVE, PropertyValue::TwoByte(5))]);
    h.connect_with(true, 60, false, p);
    assert_eq!(h.s.keep_alive(), Duration::from_secs(5));
    assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(5)));
    h.at(5000);
    h.s.handle_timeout(h.now).unwrap();
    assert_eq!(h.sent(), ["PINGREQ"]);
    // Server Keep Alive 0 switches keepalive off.
    let mut h = H::new(V5);
    let p = props(&[(prop_id::SERVER_KEEP_ALIVE, PropertyValue::TwoByte(0))]);
    h.connect_with(true, 60, false, p);
    assert_eq!(h.s.poll_timeout(), None);
}

#[test]
fn connack_must_come_within_the_connect_timeout() {
    let mut h = H::new(V3);
    let c = h.connect_packet(true, 10);
    h.s.connect(c, Duration::from_secs(5), h.now).unwrap();
    assert_eq!(h.s.poll_timeout(), Some(h.t0 + Duration::from_secs(5)));
    h.at(4999);
    h.s.handle_timeout(h.now).unwrap();
    h.at(5000);
    assert_eq!(h.s.handle_timeout(h.now), Err(SessionError::Timeout));
    assert_eq!(h.sent(), ["CONNECT clean1"]);
    // A CONNACK arriving after we gave up changes nothing.
    h.feed(Packet::ConnAck(ConnAck {
        session_present: false,
        code: 0,
        properties: Properties::default(),
    }))
    .unwrap();
    assert_ne!(h.s.state(), ConnState::Connected);
}

#[test]
fn refused_connection_is_reported() {
    let mut h = H::new(V3);
    let c = h.connect_packet(true, 10);
    h.s.connect(c, Duration::from_secs(5), h.now).unwrap();
    h.feed(Packet::ConnAck(ConnAck {
        session_present: false,
        code: 5,
        properties: Properties::default(),
    }))
    .unwrap();
    assert_eq!(
        h.events(),
        [Event::ConnectRefused {
            code: 5,
            properties: Properties::default()
        }]
    );
    assert_ne!(h.s.state(), ConnState::Connected);
    assert_eq!(h.s.poll_timeout(), None);
    assert_eq!(h.publish("t", 1), Err(SessionError::NotConnected));
}

#[test]
fn assigned_client_identifier_is_kept() {
    let mut h = H::new(V5);
    assert_eq!(h.s.assigned_client_id(), None);
    let p = props(&[(
        prop_id::ASSIGNED_CLIENT_IDENTIFIER,
        PropertyValue::Utf8("auto-123".into()),
    )]);
    h.connect_with(true, 0, false, p);
    assert_eq!(h.s.assigned_client_id(), Some("auto-123"));
    h.drop_conn();
    assert_eq!(h.s.assigned_client_id(), Some("auto-123"));
}

// ---------------------------------------------------------------- MQTT 5 limits

#[test]
fn server_receive_maximum_holds_back_publishes_in_order() {
    let mut h = H::new(V5);
    let p = props(&[(prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(2))]);
    h.connect_with(true, 0, false, p);
    for t in ["a", "b", "c", "d"] {
        h.publish(t, 1).unwrap();
    }
    h.publish("e", 2).unwrap();
    h.publish("zero", 0).unwrap();
    // QoS 0 is not counted and not held back.
    assert_eq!(
        h.sent(),
        [
            "PUBLISH 1 q1 d0 a",
            "PUBLISH 2 q1 d0 b",
            "PUBLISH 0 q0 d0 zero"
        ]
    );
    h.feed(Packet::PubAck(a(2))).unwrap();
    assert_eq!(h.sent(), ["PUBLISH 3 q1 d0 c"]);
    h.feed(Packet::PubAck(a(1))).unwrap();
    assert_eq!(h.sent(), ["PUBLISH 4 q1 d0 d"]);
    h.feed(Packet::PubAck(a(3))).unwrap();
    assert_eq!(h.sent(), ["PUBLISH 5 q2 d0 e"]);
    // A QoS 2 message counts until PUBCOMP, not PUBREC.
    h.publish("f", 1).unwrap();
    assert!(h.sent().is_empty());
    h.feed(Packet::PubRec(a(5))).unwrap();
    assert_eq!(h.sent(), ["PUBREL 5"]);
    h.feed(Packet::PubComp(a(5))).unwrap();
    assert_eq!(h.sent(), ["PUBLISH 6 q1 d0 f"]);
    assert_eq!(h.s.pending_publish_ids(), [4, 6]);
}

#[test]
fn receive_maximum_applies_to_the_resend_after_reconnect() {
    let mut h = H::new(V5);
    h.connect(false, false);
    for t in ["a", "b", "c"] {
        h.publish(t, 1).unwrap();
    }
    h.sent();
    h.drop_conn();
    let c = h.connect_packet(false, 0);
    h.s.connect(c, Duration::ZERO, h.now).unwrap();
    h.sent();
    h.feed(Packet::ConnAck(ConnAck {
        session_present: true,
        code: 0,
        properties: props(&[(prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(1))]),
    }))
    .unwrap();
    assert_eq!(h.sent(), ["PUBLISH 1 q1 d1 a"]);
    h.feed(Packet::PubAck(a(1))).unwrap();
    // Sent before, so DUP=1 even though held back this time.
    assert_eq!(h.sent(), ["PUBLISH 2 q1 d1 b"]);
}

#[test]
fn our_receive_maximum_is_enforced_with_0x93() {
    let config = SessionConfig {
        receive_maximum: 2,
        ..SessionConfig::default()
    };
    let mut h = H::with(V5, config);
    h.connect(true, false);
    h.feed(inbound(1, 2, false, "a")).unwrap();
    h.feed(inbound(2, 2, false, "b")).unwrap();
    // A redelivery of one in flight is fine.
    assert!(h.feed(inbound(2, 2, true, "b")).unwrap().is_none());
    h.sent();
    let r = h.feed(inbound(3, 1, false, "c"));
    assert_eq!(protocol_reason(r), 0x93);
    assert_eq!(h.sent(), ["DISCONNECT 93"]);
    assert_eq!(h.s.state(), ConnState::Disconnecting);
    // Everything after the violation is ignored.
    assert!(h.feed(inbound(4, 0, false, "d")).unwrap().is_none());
    assert!(h.sent().is_empty());
}

#[test]
fn receive_maximum_frees_up_on_pubrel() {
    let config = SessionConfig {
        receive_maximum: 1,
        ..SessionConfig::default()
    };
    let mut h = H::with(V5, config);
    h.connect(true, false);
    h.feed(inbound(1, 2, false, "a")).unwrap();
    h.feed(Packet::PubRel(a(1))).unwrap();
    assert!(h.feed(inbound(2, 2, false, "b")).unwrap().is_some());
}

#[test]
fn receive_maximum_in_connect_properties_wins() {
    let mut h = H::new(V5);
    let mut c = h.connect_packet(true, 0);
    c.properties = props(&[(prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(1))]);
    h.s.connect(c, Duration::ZERO, h.now).unwrap();
    h.feed(Packet::ConnAck(ConnAck {
        session_present: false,
        code: 0,
        properties: Properties::default(),
    }))
    .unwrap();
    h.feed(inbound(1, 2, false, "a")).unwrap();
    assert_eq!(protocol_reason(h.feed(inbound(2, 2, false, "b"))), 0x93);
}

fn aliased(id: u16, topic: &str, alias: u16) -> Packet<'static> {
    let mut p = msg(topic, if id == 0 { 0 } else { 1 });
    p.packet_id = id;
    p.properties = props(&[(prop_id::TOPIC_ALIAS, PropertyValue::TwoByte(alias))]);
    Packet::Publish(p)
}

#[test]
fn inbound_topic_aliases_are_resolved() {
    let config = SessionConfig {
        topic_alias_maximum: 3,
        ..SessionConfig::default()
    };
    let mut h = H::with(V5, config.clone());
    h.connect(true, false);
    let m = h.feed(aliased(0, "a/b", 2)).unwrap().unwrap();
    assert_eq!(m.topic, "a/b");
    let m = h.feed(aliased(1, "", 2)).unwrap().unwrap();
    assert_eq!(m.topic, "a/b");
    // Remapped.
    h.feed(aliased(0, "c", 2)).unwrap();
    assert_eq!(h.feed(aliased(0, "", 2)).unwrap().unwrap().topic, "c");
    // Aliases live as long as the connection.
    h.drop_conn();
    h.reconnect(false);
    assert_eq!(protocol_reason(h.feed(aliased(0, "", 2))), 0x94);
    assert_eq!(h.sent(), ["DISCONNECT 94"]);

    for (topic, alias) in [("", 1), ("x", 0), ("x", 4), ("", 0)] {
        let mut h = H::with(V5, config.clone());
        h.connect(true, false);
        assert_eq!(protocol_reason(h.feed(aliased(0, topic, alias))), 0x94);
        assert_eq!(h.sent(), ["DISCONNECT 94"]);
    }
    // Without a Topic Alias Maximum announced, any alias is invalid.
    let mut h = H::new(V5);
    h.connect(true, false);
    assert_eq!(protocol_reason(h.feed(aliased(0, "x", 1))), 0x94);
}

#[test]
fn server_maximum_packet_size_is_an_error_to_the_caller() {
    let mut h = H::new(V5);
    let p = props(&[(prop_id::MAXIMUM_PACKET_SIZE, PropertyValue::FourByte(40))]);
    h.connect_with(true, 0, false, p);
    let mut big = msg("t", 1);
    big.payload = Cow::Owned(vec![0; 40]);
    assert_eq!(
        h.s.publish(big.clone(), h.now),
        Err(SessionError::PacketTooLarge)
    );
    big.qos = QoS::AtMostOnce;
    assert_eq!(h.s.publish(big, h.now), Err(SessionError::PacketTooLarge));
    let long = vec![("f".repeat(50), sub_opts(0))];
    let sub = h.s.subscribe(long, Properties::default(), h.now);
    assert_eq!(sub, Err(SessionError::PacketTooLarge));
    assert!(h.sent().is_empty());
    assert_eq!(h.s.state(), ConnState::Connected);
    // Nothing was taken: the next message gets id 1.
    assert_eq!(h.publish("t", 1), Ok(1));
}

#[test]
fn a_resend_too_large_for_the_new_server_is_completed_as_failed() {
    let mut h = H::new(V5);
    h.connect(false, false);
    let mut big = msg("t", 1);
    big.payload = Cow::Owned(vec![0; 100]);
    let id = h.s.publish(big, h.now).unwrap();
    let small = h.publish("s", 1).unwrap();
    h.sent();
    h.drop_conn();
    let c = h.connect_packet(false, 0);
    h.s.connect(c, Duration::ZERO, h.now).unwrap();
    h.sent();
    h.feed(Packet::ConnAck(ConnAck {
        session_present: true,
        code: 0,
        properties: props(&[(prop_id::MAXIMUM_PACKET_SIZE, PropertyValue::FourByte(50))]),
    }))
    .unwrap();
    assert_eq!(h.sent(), ["PUBLISH 2 q1 d1 s"]);
    assert_eq!(completed(&h.events()), [(id, 0x95)]);
    assert_eq!(h.s.pending_publish_ids(), [small]);
}

#[test]
fn maximum_qos_and_retain_available_are_honoured() {
    let mut h = H::new(V5);
    let p = props(&[
        (prop_id::MAXIMUM_QOS, PropertyValue::Byte(1)),
        (prop_id::RETAIN_AVAILABLE, PropertyValue::Byte(0)),
    ]);
    h.connect_with(true, 0, false, p);
    assert!(matches!(
        h.publish("t", 2),
        Err(SessionError::NotAllowed(_))
    ));
    let mut r = msg("t", 1);
    r.retain = true;
    assert!(matches!(
        h.s.publish(r, h.now),
        Err(SessionError::NotAllowed(_))
    ));
    assert_eq!(h.publish("t", 1), Ok(1));
}

#[test]
fn max_inflight_refuses_one_more() {
    let config = SessionConfig {
        max_inflight: 2,
        ..SessionConfig::default()
    };
    let mut h = H::with(V3, config);
    h.connect(true, false);
    h.publish("a", 1).unwrap();
    h.publish("b", 2).unwrap();
    assert_eq!(h.publish("c", 1), Err(SessionError::TooManyInflight));
    assert_eq!(h.publish("c", 0), Ok(0), "QoS 0 is not in flight");
    h.feed(Packet::PubAck(a(1))).unwrap();
    assert_eq!(h.publish("c", 1), Ok(3));
}

// ---------------------------------------------------------------- protocol violations

type Fed = Result<Option<Publish<'static>>, SessionError>;
type Case = Box<dyn Fn(&mut H) -> Fed>;

#[test]
fn protocol_violations_by_the_server() {
    let cases: Vec<(&str, Case)> = vec![
        (
            "PUBACK unknown",
            Box::new(|h| h.feed(Packet::PubAck(a(99)))),
        ),
        (
            "PUBREC unknown",
            Box::new(|h| h.feed(Packet::PubRec(a(99)))),
        ),
        (
            "PUBCOMP unknown",
            Box::new(|h| h.feed(Packet::PubComp(a(99)))),
        ),
        (
            "PUBACK for QoS 2",
            Box::new(|h| h.feed(Packet::PubAck(a(2)))),
        ),
        (
            "PUBREC for QoS 1",
            Box::new(|h| h.feed(Packet::PubRec(a(1)))),
        ),
        (
            "PUBCOMP before PUBREC",
            Box::new(|h| h.feed(Packet::PubComp(a(2)))),
        ),
        (
            "SUBACK too few codes",
            Box::new(|h| {
                h.feed(Packet::SubAck(SubAck {
                    packet_id: 3,
                    properties: Properties::default(),
                    codes: vec![0],
                }))
            }),
        ),
        (
            "UNSUBACK for a SUBSCRIBE",
            Box::new(|h| {
                h.feed(Packet::UnsubAck(SubAck {
                    packet_id: 3,
                    properties: Properties::default(),
                    codes: vec![0, 0],
                }))
            }),
        ),
        (
            "second CONNACK",
            Box::new(|h| {
                h.feed(Packet::ConnAck(ConnAck {
                    session_present: false,
                    code: 0,
                    properties: Properties::default(),
                }))
            }),
        ),
        (
            "PINGREQ from the server",
            Box::new(|h| h.feed(Packet::PingReq)),
        ),
        (
            "SUBSCRIBE from the server",
            Box::new(|h| {
                h.feed(Packet::Subscribe(crate::protocol::Subscribe {
                    packet_id: 1,
                    properties: Properties::default(),
                    filters: vec![(Cow::Borrowed("a"), sub_opts(0))],
                }))
            }),
        ),
        (
            "DUP on QoS 0",
            Box::new(|h| h.feed(inbound(0, 0, true, "a"))),
        ),
    ];
    for v in ALL_VERSIONS {
        for (what, case) in &cases {
            let mut h = H::new(v);
            h.connect(false, false);
            h.publish("one", 1).unwrap();
            h.publish("two", 2).unwrap();
            let filters = vec![("a".into(), sub_opts(0)), ("b".into(), sub_opts(1))];
            h.s.subscribe(filters, Properties::default(), h.now)
                .unwrap();
            h.sent();
            let err = case(&mut h);
            assert!(
                matches!(err, Err(SessionError::Protocol { .. })),
                "{v:?} {what}: {err:?}"
            );
            let sent = h.sent();
            if v == V5 {
                assert_eq!(sent.len(), 1, "{what}");
                assert!(sent[0].starts_with("DISCONNECT 8"), "{what}: {sent:?}");
            } else {
                assert!(sent.is_empty(), "{what}: {sent:?}");
            }
            assert_eq!(h.s.state(), ConnState::Disconnecting, "{what}");
            // The durable state is untouched: both messages resend after a reconnect.
            h.drop_conn();
            h.reconnect(true);
            assert_eq!(
                h.sent(),
                ["PUBLISH 1 q1 d1 one", "PUBLISH 2 q2 d1 two"],
                "{what}"
            );
        }
    }
}

#[test]
fn packets_before_connack_are_a_protocol_error() {
    let mut h = H::new(V5);
    let c = h.connect_packet(true, 0);
    h.s.connect(c, Duration::ZERO, h.now).unwrap();
    h.sent();
    assert_eq!(protocol_reason(h.feed(inbound(0, 0, false, "early"))), 0x82);
    assert_eq!(h.sent(), ["DISCONNECT 82"]);
}

#[test]
fn decode_errors_queue_a_disconnect_with_their_reason() {
    let mut h = H::new(V5);
    h.connect(true, false);
    let e =
        h.s.handle_decode_error(&CodecError::Malformed("test"), h.now);
    assert!(matches!(e, SessionError::Protocol { reason: 0x81, .. }));
    assert_eq!(h.sent(), ["DISCONNECT 81"]);
}

#[test]
fn server_disconnect_and_auth_are_events() {
    let mut h = H::new(V5);
    h.connect(true, false);
    h.feed(Packet::Auth(crate::protocol::Disconnect {
        reason: 0x18,
        properties: Properties::default(),
    }))
    .unwrap();
    h.feed(Packet::Disconnect(crate::protocol::Disconnect {
        reason: 0x8b,
        properties: Properties::default(),
    }))
    .unwrap();
    assert_eq!(
        h.events(),
        [
            Event::Auth {
                reason: 0x18,
                properties: Properties::default()
            },
            Event::ServerDisconnect {
                reason: 0x8b,
                properties: Properties::default()
            }
        ]
    );
    assert_eq!(h.s.state(), ConnState::Disconnecting);
    assert!(h.sent().is_empty());
}

#[test]
fn disconnect_is_queued_with_its_reason() {
    let mut h = H::new(V5);
    h.connect(true, false);
    h.s.disconnect(0x04, Properties::default(), h.now);
    assert_eq!(h.sent(), ["DISCONNECT 04"]);
    assert_eq!(h.s.state(), ConnState::Disconnecting);
    assert_eq!(h.publish("t", 1), Err(SessionError::NotConnected));
    // Acknowledgements still arriving are processed.
    let mut h = H::new(V3);
    h.connect(true, false);
    h.publish("t", 1).unwrap();
    h.s.disconnect(0x04, Properties::default(), h.now);
    assert_eq!(h.sent(), ["PUBLISH 1 q1 d0 t", "DISCONNECT 00"]);
    h.feed(Packet::PubAck(a(1))).unwrap();
    assert_eq!(completed(&h.events()), [(1, 0)]);
}

// ---------------------------------------------------------------- snapshot / restore

fn busy_session(v: ProtocolVersion) -> H {
    let mut h = H::new(v);
    h.connect(false, false);
    let mut m = msg("with/props", 1);
    if v == V5 {
        m.properties = props(&[
            (prop_id::PAYLOAD_FORMAT_INDICATOR, PropertyValue::Byte(1)),
            (
                prop_id::MESSAGE_EXPIRY_INTERVAL,
                PropertyValue::FourByte(60),
            ),
            (
                prop_id::CORRELATION_DATA,
                PropertyValue::Binary(Cow::Owned(vec![0, 1, 2])),
            ),
            (
                prop_id::USER_PROPERTY,
                PropertyValue::Pair("k".into(), "v".into()),
            ),
        ]);
    }
    m.retain = true;
    h.s.publish(m, h.now).unwrap();
    h.publish("b", 2).unwrap();
    h.publish("c", 2).unwrap();
    h.sent();
    // Queued for output but never written: resent with DUP=1 all the same.
    h.publish("unwritten", 1).unwrap();
    h.feed(Packet::PubRec(a(2))).unwrap();
    h.feed(inbound(40, 2, false, "in")).unwrap();
    h.feed(inbound(41, 2, false, "in")).unwrap();
    h
}

#[test]
fn snapshot_restores_into_a_new_process_that_carries_on() {
    for v in ALL_VERSIONS {
        let mut h = busy_session(v);
        let snap = h.s.snapshot();
        let mut before = H::new(v);
        before.s = std::mem::replace(&mut h.s, Session::new(SessionConfig::default()));
        before.drop_conn();
        before.reconnect(true);
        let expected = before.sent();

        let mut g = H::new(v);
        g.s.restore(&snap).unwrap();
        assert_eq!(
            g.s.snapshot(),
            snap,
            "restore then snapshot is the identity"
        );
        assert_eq!(g.s.pending_publish_ids(), [1, 2, 3, 4]);
        g.reconnect(true);
        assert_eq!(g.sent(), expected);
        assert_eq!(
            expected,
            [
                "PUBLISH 1 q1 d1 with/props",
                "PUBREL 2",
                "PUBLISH 3 q2 d1 c",
                "PUBLISH 4 q1 d1 unwritten"
            ]
        );
        // Inbound QoS 2 state survived: a redelivery is not delivered again.
        assert!(g.feed(inbound(40, 2, true, "in")).unwrap().is_none());
        g.feed(Packet::PubRel(a(41))).unwrap();
        assert_eq!(g.sent(), ["PUBREC 40", "PUBCOMP 41"]);
        // New ids continue after the restored ones.
        assert_eq!(g.publish("new", 1), Ok(5));
    }
}

#[test]
fn garbage_snapshots_are_errors_and_change_nothing() {
    let h = busy_session(V5);
    let snap = h.s.snapshot();
    let mut g = H::new(V5);
    g.s.restore(&snap).unwrap();
    let good = g.s.snapshot();
    for cut in 0..snap.len() {
        assert!(
            matches!(g.s.restore(&snap[..cut]), Err(SessionError::Snapshot(_))),
            "cut at {cut}"
        );
    }
    for i in 0..snap.len() {
        let mut bad = snap.clone();
        bad[i] ^= 0x40;
        assert!(g.s.restore(&bad).is_err(), "byte {i} flipped");
    }
    let mut longer = snap.clone();
    longer.push(0);
    assert!(g.s.restore(&longer).is_err());
    assert!(g.s.restore(b"").is_err());
    assert!(g.s.restore(&[0xff; 64]).is_err());
    assert_eq!(g.s.snapshot(), good, "failed restores left the state alone");
}

#[test]
fn restore_is_refused_while_connected() {
    let mut h = H::new(V3);
    h.connect(true, false);
    let snap = h.s.snapshot();
    assert!(matches!(
        h.s.restore(&snap),
        Err(SessionError::NotAllowed(_))
    ));
}

// ---------------------------------------------------------------- scripted server

/// What the scripted server does next.
enum Step {
    /// Expect exactly these packets from the client (described), in order.
    Expect(&'static [&'static str]),
    /// Send this packet to the client.
    Send(Packet<'static>),
    /// Close the connection; the client reconnects and the server answers CONNACK with
    /// this session-present flag.
    Drop(bool),
    /// Let this much time pass (the client's timers run).
    Wait(u64),
    /// The application publishes (topic, QoS).
    Publish(&'static str, u8),
}

/// A tiny server that plays a script against a session through bytes only: the session's
/// output is decoded as the server would, the server's packets are encoded and decoded
/// again as the client's transport would.
fn run_script(v: ProtocolVersion, keep_alive: u16, script: Vec<Step>) -> (H, Vec<String>) {
    let mut h = H::new(v);
    let mut delivered = Vec::new();
    h.connect_with(false, keep_alive, false, Properties::default());
    let mut ms = 0;
    for (i, step) in script.into_iter().enumerate() {
        match step {
            Step::Expect(want) => assert_eq!(h.sent(), want, "step {i}"),
            Step::Send(p) => {
                let mut wire = Vec::new();
                crate::protocol::encode(&p, v, &mut wire).unwrap();
                let (p, n) = decode(&wire, v, usize::MAX).unwrap().unwrap();
                assert_eq!(n, wire.len());
                if let Some(m) = h.s.handle_packet(p, h.now).unwrap() {
                    delivered.push(format!("{} {}", m.topic, m.packet_id));
                }
            }
            Step::Drop(session_present) => {
                h.drop_conn();
                let c = h.connect_packet(false, keep_alive);
                h.s.connect(c, Duration::from_secs(5), h.now).unwrap();
                assert_eq!(h.sent(), ["CONNECT clean0"], "step {i}");
                let mut wire = Vec::new();
                let ack = Packet::ConnAck(ConnAck {
                    session_present,
                    code: 0,
                    properties: Properties::default(),
                });
                crate::protocol::encode(&ack, v, &mut wire).unwrap();
                let (p, _) = decode(&wire, v, usize::MAX).unwrap().unwrap();
                h.s.handle_packet(p, h.now).unwrap();
            }
            Step::Publish(topic, qos) => {
                h.publish(topic, qos).unwrap();
            }
            Step::Wait(d) => {
                ms += d;
                let now = h.at(ms);
                while h.s.poll_timeout().is_some_and(|t| t <= now) {
                    h.s.handle_timeout(now).unwrap();
                }
            }
        }
    }
    (h, delivered)
}

#[test]
fn scripted_server_with_drops_in_both_directions() {
    use Step::*;
    for v in ALL_VERSIONS {
        let script = vec![
            Send(inbound(10, 2, false, "in/two")),
            Expect(&["PUBREC 10"]),
            Drop(true),
            Expect(&[]),
            Send(inbound(10, 2, true, "in/two")),
            Expect(&["PUBREC 10"]),
            Send(Packet::PubRel(a(10))),
            Expect(&["PUBCOMP 10"]),
            Send(inbound(11, 1, false, "in/one")),
            Drop(true),
            Send(inbound(11, 1, true, "in/one")),
            Expect(&["PUBACK 11"]),
            Wait(3000),
            Expect(&["PINGREQ"]),
            Send(Packet::PingResp),
            Wait(2000),
            Expect(&[]),
        ];
        let (mut h2, delivered) = run_script(v, 3, script);
        assert_eq!(
            delivered,
            ["in/two 10", "in/one 11", "in/one 11"],
            "QoS 2 once, QoS 1 at least once"
        );
        assert!(h2
            .events()
            .iter()
            .all(|e| matches!(e, Event::Connected { .. })));
    }
}

#[test]
fn scripted_server_outbound_flows_with_drops() {
    use Step::*;
    for v in ALL_VERSIONS {
        let script = vec![
            Publish("out/1", 1),
            Publish("out/2", 2),
            Expect(&["PUBLISH 1 q1 d0 out/1", "PUBLISH 2 q2 d0 out/2"]),
            Send(Packet::PubRec(a(2))),
            Drop(true),
            Expect(&["PUBLISH 1 q1 d1 out/1", "PUBREL 2"]),
            Send(Packet::PubAck(a(1))),
            Drop(true),
            Expect(&["PUBREL 2"]),
            Send(Packet::PubComp(a(2))),
            Publish("out/3", 2),
            Expect(&["PUBLISH 3 q2 d0 out/3"]),
            Drop(false),
            Expect(&[]),
            Publish("out/4", 1),
            Expect(&["PUBLISH 4 q1 d0 out/4"]),
        ];
        let (mut h, delivered) = run_script(v, 0, script);
        assert!(delivered.is_empty());
        let ev = h.events();
        assert_eq!(completed(&ev), [(1, 0), (2, 0)]);
        let discarded: Vec<Vec<u16>> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Connected { discarded, .. } => Some(discarded.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            discarded,
            [vec![], vec![], vec![3]],
            "one event per reconnect"
        );
        assert_eq!(h.s.pending_publish_ids(), [4]);
    }
}

#[test]
fn acknowledgements_go_out_in_the_order_of_what_they_answer() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(true, false);
        h.feed(inbound(3, 1, false, "a")).unwrap();
        h.feed(inbound(1, 2, false, "b")).unwrap();
        h.feed(inbound(2, 1, false, "c")).unwrap();
        h.feed(inbound(9, 2, false, "d")).unwrap();
        assert_eq!(h.sent(), ["PUBACK 3", "PUBREC 1", "PUBACK 2", "PUBREC 9"]);
        for t in ["x", "y", "z"] {
            h.publish(t, 2).unwrap();
        }
        h.sent();
        for id in [3, 1, 2] {
            h.feed(Packet::PubRec(a(id))).unwrap();
        }
        assert_eq!(h.sent(), ["PUBREL 3", "PUBREL 1", "PUBREL 2"]);
    }
}

#[test]
fn an_oversize_packet_from_the_server_is_answered_with_0x95() {
    let mut h = H::new(V5);
    h.connect(true, false);
    let e =
        h.s.handle_decode_error(&CodecError::PacketTooLarge { size: 99, max: 10 }, h.now);
    assert!(matches!(e, SessionError::Protocol { reason: 0x95, .. }));
    assert_eq!(h.sent(), ["DISCONNECT 95"]);
    // MQTT 3.1.1 has no reason codes: the connection is just closed.
    let mut h = H::new(V3);
    h.connect(true, false);
    let e = h.s.handle_decode_error(&CodecError::BadQoS, h.now);
    assert!(matches!(e, SessionError::Protocol { reason: 0x81, .. }));
    assert!(h.sent().is_empty());
}

#[test]
fn maximum_packet_size_we_announce_bounds_what_the_server_may_send() {
    // MQTT 5.0, 3.1.2.11.4: a packet over the Maximum Packet Size of our CONNECT is a
    // Protocol Error answered with DISCONNECT 0x95.
    let mut h = H::new(V5);
    assert_eq!(h.s.max_incoming_packet_size(), 268_435_460);
    let mut c = h.connect_packet(true, 0);
    c.properties = Properties(vec![Property {
        id: prop_id::MAXIMUM_PACKET_SIZE,
        value: PropertyValue::FourByte(64),
    }]);
    h.s.connect(c, Duration::from_secs(30), h.now).unwrap();
    h.sent();
    h.feed(Packet::ConnAck(ConnAck {
        session_present: false,
        code: 0,
        properties: Properties::default(),
    }))
    .unwrap();
    assert_eq!(h.s.max_incoming_packet_size(), 64);
    // A 100-byte PUBLISH is refused from its fixed header; the DISCONNECT says why.
    let mut wire = vec![0x30, 98, 0x00, 0x01, b't', 0x00];
    wire.resize(100, b'x');
    let max = h.s.max_incoming_packet_size();
    let err = decode(&wire, V5, max).unwrap_err();
    assert!(matches!(
        err,
        CodecError::PacketTooLarge { size: 100, max: 64 }
    ));
    let e = h.s.handle_decode_error(&err, h.now);
    assert!(matches!(e, SessionError::Protocol { reason: 0x95, .. }));
    assert_eq!(h.sent(), ["DISCONNECT 95"]);
    // 64 bytes exactly are fine.
    wire.truncate(64);
    wire[1] = 62;
    assert!(decode(&wire, V5, max).unwrap().is_some());
    // The limit is per connection: a CONNECT without the property lifts it; MQTT 3.1.1 has
    // no such property at all.
    h.s.connection_lost(h.now);
    h.connect(true, false);
    assert_eq!(h.s.max_incoming_packet_size(), 268_435_460);
}

#[test]
fn a_property_not_valid_in_the_packet_is_malformed_0x81() {
    // MQTT 5.0, 2.2.2.2: an identifier not valid for the packet type is a Malformed Packet;
    // a repeated one is a Protocol Error.
    let mut h = H::new(V5);
    h.connect(true, false);
    // PUBLISH "t" with Session Expiry Interval 1.
    let wire = [
        0x30, 0x0a, 0x00, 0x01, b't', 0x05, 0x11, 0x00, 0x00, 0x00, 0x01, b'p',
    ];
    let err = decode(&wire, V5, usize::MAX).unwrap_err();
    let e = h.s.handle_decode_error(&err, h.now);
    assert!(
        matches!(e, SessionError::Protocol { reason: 0x81, .. }),
        "{e:?}"
    );
    assert_eq!(h.sent(), ["DISCONNECT 81"]);
    let mut h = H::new(V5);
    h.connect(true, false);
    // PUBLISH "t" with Message Expiry Interval twice.
    let wire = [
        0x30, 0x0f, 0x00, 0x01, b't', 0x0a, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,
        0x02, b'p',
    ];
    let err = decode(&wire, V5, usize::MAX).unwrap_err();
    let e = h.s.handle_decode_error(&err, h.now);
    assert!(
        matches!(e, SessionError::Protocol { reason: 0x82, .. }),
        "{e:?}"
    );
    assert_eq!(h.sent(), ["DISCONNECT 82"]);
}

#[test]
fn topic_alias_zero_refused_by_the_decoder_is_still_0x94() {
    let mut h = H::new(V5);
    h.connect(true, false);
    let mut wire = Vec::new();
    // PUBLISH QoS 0, topic "a", properties: Topic Alias 0.
    wire.extend_from_slice(&[0x30, 0x07, 0x00, 0x01, b'a', 0x03, 0x23, 0x00, 0x00]);
    let err = decode(&wire, V5, usize::MAX).unwrap_err();
    let e = h.s.handle_decode_error(&err, h.now);
    assert!(
        matches!(e, SessionError::Protocol { reason: 0x94, .. }),
        "{e:?}"
    );
    assert_eq!(h.sent(), ["DISCONNECT 94"]);
}

#[test]
fn connack_with_receive_maximum_zero_is_a_protocol_error() {
    let mut h = H::new(V5);
    let c = h.connect_packet(true, 0);
    h.s.connect(c, Duration::ZERO, h.now).unwrap();
    h.sent();
    let r = h.feed(Packet::ConnAck(ConnAck {
        session_present: false,
        code: 0,
        properties: props(&[(prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(0))]),
    }));
    assert_eq!(protocol_reason(r), 0x82);
    assert_eq!(h.sent(), ["DISCONNECT 82"]);
}

#[test]
fn nothing_is_written_after_our_disconnect() {
    for v in ALL_VERSIONS {
        let mut h = H::new(v);
        h.connect(false, false);
        let id = h.publish("t", 2).unwrap();
        h.sent();
        h.s.disconnect(0, Properties::default(), h.now);
        assert_eq!(h.sent(), ["DISCONNECT 00"]);
        // The server's packets still in flight are taken in, but not answered.
        h.feed(Packet::PubRec(a(id))).unwrap();
        assert!(h.feed(inbound(8, 2, false, "late")).unwrap().is_some());
        h.feed(inbound(9, 1, false, "late")).unwrap();
        let later = h.at(100_000);
        h.s.handle_timeout(later).unwrap();
        assert!(h.sent().is_empty());
        // The answers come on the next connection: PUBREL resent; the redelivered QoS 2
        // message acknowledged but not delivered twice.
        h.drop_conn();
        h.reconnect(true);
        assert_eq!(h.sent(), ["PUBREL 1"]);
        assert!(h.feed(inbound(8, 2, true, "late")).unwrap().is_none());
        assert_eq!(h.sent(), ["PUBREC 8"]);
    }
}

#[test]
fn reserved_ids_are_skipped_used_later_and_survive_a_clean_start() {
    let mut h = H::new(V5);
    // Reserved while disconnected, for a message the client layer buffers.
    assert_eq!(h.s.reserve_id(), Ok(1));
    h.connect(false, false);
    assert_eq!(h.publish("a", 1), Ok(2));
    assert_eq!(h.s.reserve_id(), Ok(3));
    let sub = h.s.subscribe(
        vec![("f".into(), sub_opts(0))],
        Properties::default(),
        h.now,
    );
    assert_eq!(sub, Ok(4));
    assert_eq!(h.s.publish_reserved(msg("r", 2), 1, h.now), Ok(1));
    // Used, in flight, in use by a request, or never reserved: refused.
    for id in [1, 2, 4, 99, 0] {
        assert!(
            matches!(
                h.s.publish_reserved(msg("x", 1), id, h.now),
                Err(SessionError::NotAllowed(_))
            ),
            "id {id}"
        );
    }
    assert_eq!(
        h.sent(),
        ["PUBLISH 2 q1 d0 a", "SUBSCRIBE 4", "PUBLISH 1 q2 d0 r"]
    );
    // A clean start drops messages in flight but not reservations.
    h.drop_conn();
    let ev = h.connect(true, false);
    assert_eq!(discarded(&ev), [2, 1]);
    assert_eq!(h.publish("b", 1), Ok(5));
    assert_eq!(h.s.publish_reserved(msg("later", 1), 3, h.now), Ok(3));
    // Releasing an id in flight changes nothing: it is not handed out again.
    h.s.release_reserved(3);
    for _ in 0..65533 {
        assert_ne!(h.s.reserve_id(), Ok(3));
    }
    assert_eq!(h.s.reserve_id(), Err(SessionError::NoPacketIdAvailable));
    assert_eq!(h.s.pending_publish_ids(), [5, 3]);
}

#[test]
fn restore_keeps_reservations_and_refuses_to_overlap_them() {
    let mut h = busy_session(V3);
    let snap = h.s.snapshot();
    let mut g = H::new(V3);
    assert_eq!(g.s.reserve_id(), Ok(1));
    assert!(matches!(
        g.s.restore(&snap),
        Err(SessionError::NotAllowed(_))
    ));
    assert!(g.s.pending_publish_ids().is_empty());
    let mut g = H::new(V3);
    g.s.restore(&snap).unwrap();
    assert_eq!(g.s.reserve_id(), Ok(5));
    // Restoring again over itself is fine, and keeps the reservation.
    g.s.restore(&snap).unwrap();
    assert_eq!(g.s.reserve_id(), Ok(6));
    h.drop_conn();
}

#[test]
fn our_send_window_holds_back_the_rest_in_order() {
    let config = SessionConfig {
        send_window: 1,
        ..SessionConfig::default()
    };
    let mut h = H::with(V3, config);
    h.connect(true, false);
    for t in ["a", "b", "c"] {
        h.publish(t, 1).unwrap();
    }
    // Beyond the window nothing is refused: the rest wait and go out as room frees up.
    assert_eq!(h.sent(), ["PUBLISH 1 q1 d0 a"]);
    h.feed(Packet::PubAck(a(1))).unwrap();
    assert_eq!(h.sent(), ["PUBLISH 2 q1 d0 b"]);
    h.feed(Packet::PubAck(a(2))).unwrap();
    assert_eq!(h.sent(), ["PUBLISH 3 q1 d0 c"]);
}

#[test]
fn without_a_server_session_unacknowledged_messages_go_again_when_asked() {
    // Paho's synchronous client: cleansession 0, CONNACK session present 0 (the server
    // lost the session) resends what was not acknowledged instead of dropping it.
    for v in [V3, V5] {
        let config = SessionConfig {
            resend_without_session: true,
            ..SessionConfig::default()
        };
        let mut h = H::with(v, config);
        h.s.set_journal(true);
        h.connect(false, false);
        let one = h.publish("one", 1).unwrap();
        let two = h.publish("two", 2).unwrap();
        let three = h.publish("three", 2).unwrap();
        assert_eq!(h.sent().len(), 3);
        h.feed(Packet::PubRec(a(three))).unwrap();
        assert_eq!(h.sent(), ["PUBREL 3"]);
        // An inbound QoS 2 flow the server will forget.
        assert!(h.feed(inbound(9, 2, false, "in")).unwrap().is_some());
        assert_eq!(h.sent(), ["PUBREC 9"]);
        h.take_journal_for_test();
        h.drop_conn();
        let ev = h.reconnect(false);
        assert!(discarded(&ev).is_empty(), "{v:?}");
        assert_eq!(
            h.sent(),
            ["PUBLISH 1 q1 d1 one", "PUBLISH 2 q2 d1 two", "PUBREL 3"],
            "{v:?}"
        );
        // Only the inbound flow is forgotten (a store drops its record); nothing outbound.
        assert_eq!(h.s.take_journal(), [DurableChange::ReceiveDone(9)], "{v:?}");
        // Id 9 is a new message now, delivered.
        assert!(
            h.feed(inbound(9, 2, false, "new")).unwrap().is_some(),
            "{v:?}"
        );
        h.feed(Packet::PubAck(a(one))).unwrap();
        h.feed(Packet::PubRec(a(two))).unwrap();
        h.feed(Packet::PubComp(a(two))).unwrap();
        h.feed(Packet::PubComp(a(three))).unwrap();
        assert!(h.s.pending_publish_ids().is_empty(), "{v:?}");
    }
}

#[test]
fn a_clean_start_discards_once_at_connect_not_again_at_connack() {
    let mut h = H::new(V3);
    h.s.set_journal(true);
    h.connect(false, false);
    h.publish("x", 1).unwrap();
    h.sent();
    h.drop_conn();
    h.take_journal_for_test();
    let ev = h.connect(true, false);
    assert_eq!(discarded(&ev), [1]);
    assert_eq!(h.s.take_journal(), [DurableChange::Discarded]);
}

/// A message of `len` bytes of payload on `topic`.
fn large(topic: &str, qos: u8, len: usize) -> Publish<'static> {
    let mut m = msg(topic, qos);
    m.payload = Cow::Owned((0..len).map(|i| (i % 251) as u8).collect());
    m
}

/// Large payloads are written from the message the session keeps, between the bytes of the
/// other packets: the bytes on the wire are exactly those of the packets encoded whole, in
/// order, however the writes cut them.
#[test]
fn a_large_payload_is_written_by_reference_and_the_stream_is_unchanged() {
    for v in [V3, V5] {
        let mut by_ref = H::new(v);
        let mut copied = H::new(v);
        copied.s.set_large_by_reference(false);
        // Small and large messages, each QoS, on a new connection.
        let publish_mix = |h: &mut H| {
            h.connect(true, false);
            h.sent();
            h.s.publish(msg("small/1", 1), h.now).unwrap();
            h.s.publish(large("big/1", 1, 300_000), h.now).unwrap();
            h.s.publish(msg("small/2", 0), h.now).unwrap();
            h.s.publish(large("big/2", 2, 70_000), h.now).unwrap();
            h.s.publish(large("big/3", 0, 100_000), h.now).unwrap();
        };
        let mut streams = Vec::new();
        let mut holes = Vec::new();
        for h in [&mut by_ref, &mut copied] {
            publish_mix(h);
            holes.push(h.s.has_holes());
            streams.push(h.drain_output(7001));
            assert!(!h.s.has_holes());
        }
        assert_eq!(holes, [true, false], "{v:?}");
        // The same through vectored writes that end anywhere, in or between pieces.
        let mut h = H::new(v);
        publish_mix(&mut h);
        assert!(
            h.drain_vectored(65_521) == streams[1],
            "{v:?}: vectored bytes differ"
        );
        assert_eq!(streams[0].len(), streams[1].len(), "{v:?}");
        assert!(streams[0] == streams[1], "{v:?}: the bytes differ");
    }
}

/// A server that acknowledges a large PUBLISH before it has all of it (hostile or broken):
/// the rest of the payload is still written, the message is handed back whole, and the
/// stream stays in step.
#[test]
fn an_early_puback_during_a_large_payload_leaves_the_stream_whole() {
    let mut h = H::new(V3);
    h.connect(true, false);
    h.sent();
    let id = h.s.publish(large("big", 1, 200_000), h.now).unwrap();
    let mut bytes = Vec::new();
    // The headers and part of the payload go out.
    while bytes.len() < 50_000 {
        let out = h.s.pending_output();
        let n = out.len().min(10_000);
        bytes.extend_from_slice(&out[..n]);
        h.s.consume_output(n, h.now);
    }
    h.feed(Packet::PubAck(a(id))).unwrap();
    let done = h.events().into_iter().find_map(|e| match e {
        Event::PublishComplete { message, .. } => Some(message),
        _ => None,
    });
    assert_eq!(done.expect("completed").payload.len(), 200_000);
    h.s.publish(msg("after", 0), h.now).unwrap();
    bytes.extend(h.drain_output(usize::MAX));
    let (p, n) = decode(&bytes, V3, usize::MAX).unwrap().unwrap();
    let Packet::Publish(p) = p else {
        panic!("not a PUBLISH")
    };
    assert_eq!(p.payload, large("big", 1, 200_000).payload);
    let (next, _) = decode(&bytes[n..], V3, usize::MAX).unwrap().unwrap();
    assert!(matches!(next, Packet::Publish(ref q) if q.topic == "after"));
}

/// A connection lost in the middle of a large payload drops the hole with the rest of the
/// output; the message is resent whole after the reconnect.
#[test]
fn a_connection_lost_in_a_large_payload_resends_it_whole() {
    let mut h = H::new(V3);
    h.connect(false, false);
    h.sent();
    h.s.publish(large("big", 1, 200_000), h.now).unwrap();
    let out = h.s.pending_output();
    let n = out.len();
    h.s.consume_output(n, h.now); // the headers only
    h.drop_conn();
    h.reconnect(true);
    let resent = h.sent_publishes();
    assert_eq!(resent.len(), 1);
    assert!(resent[0].dup);
    assert_eq!(resent[0].payload, large("big", 1, 200_000).payload);
}
