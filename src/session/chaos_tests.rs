//! The session against a small broker model over byte pipes, with the connection dropped at
//! random points (also in the middle of a packet): every QoS 2 message arrives exactly once
//! in both directions, every QoS 1 message at least once, and every publish completes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;
use crate::protocol::{decode, encode, Ack, ConnAck, Connect, Packet};

/// What the broker keeps for this client (its session is always kept: clean start 0).
#[derive(Default)]
struct Broker {
    /// Client -> broker QoS 2 ids between PUBREC and PUBREL.
    awaiting_rel: HashMap<u16, ()>,
    /// Messages received from the client, by topic, with their count.
    got: BTreeMap<String, usize>,
    /// Broker -> client messages not complete: id -> (topic, qos, PUBREL sent).
    outbound: BTreeMap<u16, (String, QoS, bool)>,
    /// Bytes for the client, not yet read by it.
    to_client: Vec<u8>,
    /// Bytes from the client, not yet whole packets.
    from_client: Vec<u8>,
}

fn ack(id: u16) -> Ack<'static> {
    Ack {
        packet_id: id,
        reason: 0,
        properties: Properties::default(),
    }
}

impl Broker {
    fn send(&mut self, p: Packet<'_>, v: ProtocolVersion) {
        encode(&p, v, &mut self.to_client).expect("broker packet encodes");
    }

    fn publish_to_client(&mut self, id: u16, dup: bool, v: ProtocolVersion) {
        let (topic, qos, _) = self.outbound[&id].clone();
        self.send(
            Packet::Publish(Publish {
                dup,
                qos,
                retain: false,
                topic: Cow::Owned(topic),
                packet_id: id,
                properties: Properties::default(),
                payload: Cow::Borrowed(b"m"),
            }),
            v,
        );
    }

    /// A new connection: CONNACK with session present, then the resends.
    fn accept(&mut self, v: ProtocolVersion, first: bool) {
        self.to_client.clear();
        self.from_client.clear();
        self.send(
            Packet::ConnAck(ConnAck {
                session_present: !first,
                code: 0,
                properties: Properties::default(),
            }),
            v,
        );
        let pending: Vec<(u16, bool)> = self
            .outbound
            .iter()
            .map(|(id, (_, _, rel))| (*id, *rel))
            .collect();
        for (id, rel) in pending {
            if rel {
                self.send(Packet::PubRel(ack(id)), v);
            } else {
                self.publish_to_client(id, !first, v);
            }
        }
    }

    /// Take bytes from the client and answer every whole packet.
    fn receive(&mut self, bytes: &[u8], v: ProtocolVersion) {
        self.from_client.extend_from_slice(bytes);
        loop {
            let buf = std::mem::take(&mut self.from_client);
            let Some((p, used)) = decode(&buf, v, usize::MAX).expect("client bytes decode") else {
                self.from_client = buf;
                return;
            };
            match p {
                Packet::Connect(_) | Packet::PingReq | Packet::Disconnect(_) => {}
                Packet::Publish(p) => {
                    let fresh = match p.qos {
                        QoS::AtMostOnce => true,
                        QoS::AtLeastOnce => {
                            self.send(Packet::PubAck(ack(p.packet_id)), v);
                            true
                        }
                        QoS::ExactlyOnce => {
                            self.send(Packet::PubRec(ack(p.packet_id)), v);
                            self.awaiting_rel.insert(p.packet_id, ()).is_none()
                        }
                    };
                    if fresh {
                        *self.got.entry(p.topic.to_string()).or_default() += 1;
                    }
                }
                Packet::PubRel(a) => {
                    self.awaiting_rel.remove(&a.packet_id);
                    self.send(Packet::PubComp(ack(a.packet_id)), v);
                }
                Packet::PubAck(a) | Packet::PubComp(a) => {
                    assert!(
                        self.outbound.remove(&a.packet_id).is_some(),
                        "ack for nothing"
                    );
                }
                Packet::PubRec(a) => {
                    if let Some(m) = self.outbound.get_mut(&a.packet_id) {
                        m.2 = true;
                    }
                    self.send(Packet::PubRel(ack(a.packet_id)), v);
                }
                other => panic!("client sent {}", other.name()),
            }
            self.from_client = buf[used..].to_vec();
        }
    }
}

/// One step of the run.
#[derive(Debug, Clone)]
enum Step {
    /// The client writes up to this many bytes of its output.
    ClientWrites(usize),
    /// The client reads up to this many bytes from the broker.
    ClientReads(usize),
    /// The application publishes the next message of its list.
    Publish,
    /// The broker publishes the next message of its list.
    BrokerPublishes,
    /// The connection drops: bytes in transit are lost; the client reconnects.
    Drop,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1usize..40).prop_map(Step::ClientWrites),
        4 => (1usize..40).prop_map(Step::ClientReads),
        2 => Just(Step::Publish),
        2 => Just(Step::BrokerPublishes),
        1 => Just(Step::Drop),
    ]
}

fn run(v: ProtocolVersion, steps: Vec<Step>, receive_maximum: u16) {
    let now = Instant::now();
    let mut s = Session::new(SessionConfig {
        receive_maximum,
        ..SessionConfig::default()
    });
    let mut b = Broker::default();
    let connect = |s: &mut Session| {
        let c = Connect {
            version: v,
            client_id: Cow::Borrowed("chaos"),
            clean_start: false,
            keep_alive: 0,
            username: None,
            password: None,
            will: None,
            properties: Properties::default(),
        };
        s.connect(c, Duration::ZERO, now).unwrap();
    };
    connect(&mut s);
    b.accept(v, true);
    let mut inbox: Vec<u8> = Vec::new();
    let mut client_got: BTreeMap<String, usize> = BTreeMap::new();
    let mut published: Vec<(String, QoS)> = Vec::new();
    let mut broker_sent: Vec<(String, QoS)> = Vec::new();
    let mut completed: Vec<u16> = Vec::new();
    let mut next_broker_id = 1u16;

    // The random steps, then enough calm ones for everything to finish.
    let calm = (0..60).flat_map(|_| [Step::ClientWrites(1000), Step::ClientReads(1000)]);
    for st in steps.into_iter().chain(calm) {
        match st {
            Step::ClientWrites(n) => {
                let n = n.min(s.pending_output().len());
                let bytes = s.pending_output()[..n].to_vec();
                s.consume_output(n, now);
                b.receive(&bytes, v);
            }
            Step::ClientReads(n) => {
                let n = n.min(b.to_client.len());
                inbox.extend(b.to_client.drain(..n));
                while let Some((p, used)) = decode(&inbox, v, usize::MAX).unwrap() {
                    if let Some(m) = s.handle_packet(p, now).expect("no protocol error") {
                        *client_got.entry(m.topic.to_string()).or_default() += 1;
                    }
                    inbox.drain(..used);
                }
            }
            Step::Publish if s.state() == ConnState::Connected => {
                let i = published.len();
                let qos = if i.is_multiple_of(2) {
                    QoS::AtLeastOnce
                } else {
                    QoS::ExactlyOnce
                };
                let topic = format!("up/{i}");
                let m = Publish {
                    dup: false,
                    qos,
                    retain: false,
                    topic: Cow::Owned(topic.clone()),
                    packet_id: 0,
                    properties: Properties::default(),
                    payload: Cow::Borrowed(b"u"),
                };
                s.publish(m, now).unwrap();
                published.push((topic, qos));
            }
            Step::Publish => {}
            Step::BrokerPublishes => {
                let unfinished_qos2 = b
                    .outbound
                    .values()
                    .filter(|m| m.1 == QoS::ExactlyOnce)
                    .count();
                if usize::from(receive_maximum) <= b.outbound.len().max(unfinished_qos2) {
                    continue; // The broker honours our Receive Maximum.
                }
                let i = broker_sent.len();
                let qos = if i.is_multiple_of(2) {
                    QoS::ExactlyOnce
                } else {
                    QoS::AtLeastOnce
                };
                let topic = format!("down/{i}");
                let id = next_broker_id;
                next_broker_id += 1;
                b.outbound.insert(id, (topic.clone(), qos, false));
                b.publish_to_client(id, false, v);
                broker_sent.push((topic, qos));
            }
            Step::Drop => {
                s.connection_lost(now);
                inbox.clear();
                connect(&mut s);
                b.accept(v, false);
            }
        }
        while let Some(ev) = s.poll_event() {
            if let Event::PublishComplete {
                packet_id, reason, ..
            } = ev
            {
                assert_eq!(reason, 0);
                completed.push(packet_id);
            }
        }
    }
    assert!(
        s.pending_publish_ids().is_empty(),
        "all publishes completed"
    );
    assert_eq!(completed.len(), published.len());
    for (topic, qos) in &published {
        let n = b.got.get(topic).copied().unwrap_or(0);
        match qos {
            QoS::ExactlyOnce => assert_eq!(n, 1, "{topic} reached the broker {n} times"),
            _ => assert!(n >= 1, "{topic} never reached the broker"),
        }
    }
    assert!(b.outbound.is_empty(), "the broker's messages all completed");
    for (topic, qos) in &broker_sent {
        let n = client_got.get(topic).copied().unwrap_or(0);
        match qos {
            QoS::ExactlyOnce => assert_eq!(n, 1, "{topic} reached the client {n} times"),
            _ => assert!(n >= 1, "{topic} never reached the client"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn exactly_once_both_ways_across_random_drops(
        v in prop_oneof![
            Just(ProtocolVersion::V31),
            Just(ProtocolVersion::V311),
            Just(ProtocolVersion::V5)
        ],
        receive_maximum in 1u16..5,
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        run(v, steps, receive_maximum);
    }
}
