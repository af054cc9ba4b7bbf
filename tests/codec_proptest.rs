//! Property tests of the codec.
//!
//! - Every packet type with random valid fields encodes, decodes and compares equal, for
//!   each protocol level, and every prefix of its encoding is "need more bytes".
//! - Random byte strings and mutated valid packets never panic the decoder, and whatever the
//!   decoder accepts the encoder accepts too and decodes back to the same packet.
//!
//! Together over 100,000 cases; the configs keep them cheap enough for a debug `cargo test`.

use std::borrow::Cow;

use paho_mqtt_c_rs::protocol::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::Config;

use ProtocolVersion::{V31, V311, V5};

const NO_LIMIT: usize = usize::MAX;

fn config(cases: u32) -> Config {
    Config {
        cases,
        // A CI run has nowhere useful to keep regression files; failures print their input.
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

// ---- field strategies ----

fn string() -> impl Strategy<Value = Cow<'static, str>> {
    prop_oneof![
        4 => "[a-zA-Z0-9 /_.-]{0,8}",
        1 => "[^\u{0}]{0,6}",
    ]
    .prop_map(Cow::Owned)
}

fn bytes(max: usize) -> impl Strategy<Value = Cow<'static, [u8]>> {
    vec(any::<u8>(), 0..max).prop_map(Cow::Owned)
}

fn topic_name() -> impl Strategy<Value = Cow<'static, str>> {
    prop_oneof![
        4 => "[a-z0-9/ $]{1,12}",
        1 => "[^\u{0}+#]{1,6}",
    ]
    .prop_map(Cow::Owned)
}

fn topic_filter() -> impl Strategy<Value = Cow<'static, str>> {
    let level = prop_oneof![3 => "[a-z0-9 ]{0,4}", 1 => Just("+".to_string())];
    (vec(level, 1..4), any::<bool>()).prop_map(|(levels, hash)| {
        let mut f = levels.join("/");
        if hash {
            f.push_str(if f.is_empty() { "#" } else { "/#" });
        }
        if f.is_empty() {
            // One empty level is the empty filter, which is not a filter.
            f.push('/');
        }
        Cow::Owned(f)
    })
}

fn qos() -> impl Strategy<Value = QoS> {
    prop_oneof![
        Just(QoS::AtMostOnce),
        Just(QoS::AtLeastOnce),
        Just(QoS::ExactlyOnce)
    ]
}

fn nonzero_id() -> impl Strategy<Value = u16> {
    1..=u16::MAX
}

// ---- properties ----

fn value(id: u8) -> BoxedStrategy<PropertyValue<'static>> {
    use prop_id::*;
    match property_type(id).expect("defined id") {
        PropertyType::Byte => (0..=1u8).prop_map(PropertyValue::Byte).boxed(),
        PropertyType::TwoByteInteger => match id {
            RECEIVE_MAXIMUM | TOPIC_ALIAS => {
                (1..=u16::MAX).prop_map(PropertyValue::TwoByte).boxed()
            }
            _ => any::<u16>().prop_map(PropertyValue::TwoByte).boxed(),
        },
        PropertyType::FourByteInteger => match id {
            MAXIMUM_PACKET_SIZE => (1..=u32::MAX).prop_map(PropertyValue::FourByte).boxed(),
            _ => any::<u32>().prop_map(PropertyValue::FourByte).boxed(),
        },
        PropertyType::VariableByteInteger => prop_oneof![1..128u32, 1..=268_435_455u32]
            .prop_map(PropertyValue::VarInt)
            .boxed(),
        PropertyType::BinaryData => bytes(6).prop_map(PropertyValue::Binary).boxed(),
        PropertyType::Utf8String if id == RESPONSE_TOPIC => {
            topic_name().prop_map(PropertyValue::Utf8).boxed()
        }
        PropertyType::Utf8String => string().prop_map(PropertyValue::Utf8).boxed(),
        PropertyType::Utf8StringPair => (string(), string())
            .prop_map(|(k, v)| PropertyValue::Pair(k, v))
            .boxed(),
    }
}

/// A valid property list for a packet whose single-use properties are `singles`: each of
/// them at most once, any number of user properties (and, in PUBLISH, of subscription
/// identifiers), shuffled, since order is part of the value and must survive.
fn properties(
    singles: &'static [u8],
    repeated_sub_ids: bool,
) -> BoxedStrategy<Properties<'static>> {
    let singles: Vec<_> = singles
        .iter()
        .map(|&id| {
            proptest::option::weighted(0.25, value(id))
                .prop_map(move |v| v.map(|value| Property { id, value }))
        })
        .collect();
    let users = vec(value(prop_id::USER_PROPERTY), 0..3);
    let sub_ids = vec(
        value(prop_id::SUBSCRIPTION_IDENTIFIER),
        0..if repeated_sub_ids { 3 } else { 1 },
    );
    (singles, users, sub_ids)
        .prop_map(|(singles, users, sub_ids)| {
            let mut list: Vec<Property<'static>> = singles.into_iter().flatten().collect();
            list.extend(users.into_iter().map(|value| Property {
                id: prop_id::USER_PROPERTY,
                value,
            }));
            list.extend(sub_ids.into_iter().map(|value| Property {
                id: prop_id::SUBSCRIPTION_IDENTIFIER,
                value,
            }));
            // Authentication data is only valid next to an authentication method.
            if !list.iter().any(|p| p.id == prop_id::AUTHENTICATION_METHOD) {
                list.retain(|p| p.id != prop_id::AUTHENTICATION_DATA);
            }
            list
        })
        .prop_shuffle()
        .prop_map(Properties)
        .boxed()
}

/// Properties for MQTT 5, none for 3.x.
fn props_for(
    v: ProtocolVersion,
    singles: &'static [u8],
    repeated_sub_ids: bool,
) -> BoxedStrategy<Properties<'static>> {
    if v == V5 {
        properties(singles, repeated_sub_ids)
    } else {
        Just(Properties::default()).boxed()
    }
}

// The single-use properties each packet allows, from the table in MQTT 5.0 §2.2.2.2.
const CONNECT_PROPS: &[u8] = &[0x11, 0x15, 0x16, 0x17, 0x19, 0x21, 0x22, 0x27];
const CONNACK_PROPS: &[u8] = &[
    0x11, 0x12, 0x13, 0x15, 0x16, 0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x24, 0x25, 0x27, 0x28, 0x29, 0x2A,
];
const PUBLISH_PROPS: &[u8] = &[0x01, 0x02, 0x03, 0x08, 0x09, 0x23];
const WILL_PROPS: &[u8] = &[0x01, 0x02, 0x03, 0x08, 0x09, 0x18];
const REASON_ONLY: &[u8] = &[0x1F];
const DISCONNECT_PROPS: &[u8] = &[0x11, 0x1C, 0x1F];
const AUTH_PROPS: &[u8] = &[0x15, 0x16, 0x1F];

// ---- packets ----

fn connect(v: ProtocolVersion) -> impl Strategy<Value = Packet<'static>> {
    let will = (
        topic_name(),
        bytes(16),
        qos(),
        any::<bool>(),
        props_for(v, WILL_PROPS, false),
    )
        .prop_map(|(topic, payload, qos, retain, properties)| LastWill {
            topic,
            payload,
            qos,
            retain,
            properties,
        });
    (
        string(),
        any::<bool>(),
        any::<u16>(),
        proptest::option::of(string()),
        proptest::option::of(bytes(8)),
        proptest::option::of(will),
        props_for(v, CONNECT_PROPS, false),
    )
        .prop_map(
            move |(
                client_id,
                clean_start,
                keep_alive,
                username,
                mut password,
                will,
                properties,
            )| {
                if v != V5 && username.is_none() {
                    password = None;
                }
                Packet::Connect(Connect {
                    version: v,
                    client_id,
                    clean_start,
                    keep_alive,
                    username,
                    password,
                    will,
                    properties,
                })
            },
        )
}

fn connack(v: ProtocolVersion) -> impl Strategy<Value = Packet<'static>> {
    (
        any::<bool>(),
        any::<u8>(),
        props_for(v, CONNACK_PROPS, false),
    )
        .prop_map(|(sp, code, properties)| {
            Packet::ConnAck(ConnAck {
                session_present: sp && code == 0,
                code,
                properties,
            })
        })
}

fn publish(v: ProtocolVersion) -> impl Strategy<Value = Packet<'static>> {
    (
        qos(),
        any::<bool>(),
        any::<bool>(),
        topic_name(),
        nonzero_id(),
        props_for(v, PUBLISH_PROPS, true),
        bytes(64),
        any::<bool>(),
    )
        .prop_map(
            move |(qos, dup, retain, mut topic, id, properties, payload, drop_topic)| {
                let has_alias = properties.0.iter().any(|p| p.id == prop_id::TOPIC_ALIAS);
                if v == V5 && has_alias && drop_topic {
                    topic = Cow::Borrowed("");
                }
                let q0 = qos == QoS::AtMostOnce;
                Packet::Publish(Publish {
                    dup: dup && !q0,
                    qos,
                    retain,
                    topic,
                    packet_id: if q0 { 0 } else { id },
                    properties,
                    payload,
                })
            },
        )
}

fn ack(v: ProtocolVersion) -> impl Strategy<Value = Packet<'static>> {
    let reason = if v == V5 {
        prop_oneof![Just(0u8), any::<u8>()].boxed()
    } else {
        Just(0u8).boxed()
    };
    (
        0..4u8,
        nonzero_id(),
        reason,
        props_for(v, REASON_ONLY, false),
    )
        .prop_map(|(kind, packet_id, reason, properties)| {
            let a = Ack {
                packet_id,
                reason,
                properties,
            };
            match kind {
                0 => Packet::PubAck(a),
                1 => Packet::PubRec(a),
                2 => Packet::PubRel(a),
                _ => Packet::PubComp(a),
            }
        })
}

fn subscribe(v: ProtocolVersion) -> impl Strategy<Value = Packet<'static>> {
    let v5 = v == V5;
    let opts = (qos(), any::<bool>(), any::<bool>(), 0..=2u8, any::<bool>()).prop_map(
        move |(qos, nl, rap, rh, shared)| {
            (
                SubscriptionOptions {
                    qos,
                    no_local: v5 && nl && !shared,
                    retain_as_published: v5 && rap,
                    retain_handling: if v5 { rh } else { 0 },
                },
                v5 && shared,
            )
        },
    );
    (
        nonzero_id(),
        props_for(v, &[], false),
        vec((topic_filter(), opts), 1..4),
    )
        .prop_map(|(packet_id, properties, filters)| {
            let filters = filters
                .into_iter()
                .map(|(f, (o, shared))| {
                    if shared {
                        (Cow::Owned(format!("$share/g/{f}")), o)
                    } else {
                        (f, o)
                    }
                })
                .collect();
            Packet::Subscribe(Subscribe {
                packet_id,
                properties,
                filters,
            })
        })
}

/// SUBSCRIBE properties: one optional subscription identifier and user properties. The
/// generic strategy with `repeated_sub_ids = false` gives 0..1 identifiers.
fn suback(v: ProtocolVersion) -> impl Strategy<Value = Packet<'static>> {
    (
        any::<bool>(),
        nonzero_id(),
        props_for(v, REASON_ONLY, false),
        vec(any::<u8>(), 1..5),
    )
        .prop_map(move |(unsub, packet_id, properties, mut codes)| {
            if unsub {
                if v != V5 {
                    codes.clear();
                }
                Packet::UnsubAck(SubAck {
                    packet_id,
                    properties,
                    codes,
                })
            } else {
                Packet::SubAck(SubAck {
                    packet_id,
                    properties,
                    codes,
                })
            }
        })
}

fn unsubscribe(v: ProtocolVersion) -> impl Strategy<Value = Packet<'static>> {
    (
        nonzero_id(),
        props_for(v, &[], false),
        vec(topic_filter(), 1..4),
    )
        .prop_map(|(packet_id, mut properties, filters)| {
            // UNSUBSCRIBE allows user properties only.
            properties.0.retain(|p| p.id == prop_id::USER_PROPERTY);
            Packet::Unsubscribe(Unsubscribe {
                packet_id,
                properties,
                filters,
            })
        })
}

fn disconnect_or_auth(v: ProtocolVersion) -> BoxedStrategy<Packet<'static>> {
    if v != V5 {
        return Just(Packet::Disconnect(Disconnect {
            reason: 0,
            properties: Properties::default(),
        }))
        .boxed();
    }
    prop_oneof![
        (
            prop_oneof![Just(0u8), any::<u8>()],
            properties(DISCONNECT_PROPS, false)
        )
            .prop_map(|(reason, properties)| Packet::Disconnect(Disconnect { reason, properties })),
        (
            prop_oneof![Just(0u8), any::<u8>()],
            properties(AUTH_PROPS, false)
        )
            .prop_map(|(reason, properties)| Packet::Auth(Disconnect { reason, properties })),
    ]
    .boxed()
}

fn packet(v: ProtocolVersion) -> BoxedStrategy<Packet<'static>> {
    prop_oneof![
        1 => connect(v),
        1 => connack(v),
        3 => publish(v),
        2 => ack(v),
        1 => subscribe(v),
        1 => suback(v),
        1 => unsubscribe(v),
        1 => Just(Packet::PingReq),
        1 => Just(Packet::PingResp),
        1 => disconnect_or_auth(v),
    ]
    .boxed()
}

fn version() -> impl Strategy<Value = ProtocolVersion> {
    prop_oneof![Just(V31), Just(V311), Just(V5)]
}

// ---- round trips ----

fn round_trip(v: ProtocolVersion, p: &Packet<'_>, split: usize) -> Result<(), TestCaseError> {
    let mut out = Vec::new();
    encode(p, v, &mut out).map_err(|e| TestCaseError::fail(format!("encode {p:?}: {e}")))?;
    let decoded = decode(&out, v, NO_LIMIT)
        .map_err(|e| TestCaseError::fail(format!("decode {out:02x?}: {e}")))?;
    prop_assert_eq!(decoded, Some((p.clone(), out.len())));
    // The same bytes with the size limit exactly at the packet's size still decode.
    prop_assert!(decode(&out, v, out.len()).unwrap().is_some());
    let k = split % out.len();
    prop_assert_eq!(decode(&out[..k], v, NO_LIMIT), Ok(None));
    Ok(())
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn every_packet_round_trips_v31(p in packet(V31), split in any::<usize>()) {
        round_trip(V31, &p, split)?;
    }

    #[test]
    fn every_packet_round_trips_v311(p in packet(V311), split in any::<usize>()) {
        round_trip(V311, &p, split)?;
    }

    #[test]
    fn every_packet_round_trips_v5(p in packet(V5), split in any::<usize>()) {
        round_trip(V5, &p, split)?;
    }
}

// ---- hostile input ----

/// Decode `bytes` as each protocol level and with a small and an unlimited size; nothing may
/// panic, a decoded packet never claims more bytes than there were, and whatever decodes
/// re-encodes and decodes to the same packet (the encoder is never stricter than the decoder).
fn decode_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    for v in [V31, V311, V5] {
        let _ = decode(bytes, v, 16);
        if let Ok(Some((p, n))) = decode(bytes, v, NO_LIMIT) {
            prop_assert!(n <= bytes.len());
            let mut out = Vec::new();
            encode(&p, v, &mut out).map_err(|e| {
                TestCaseError::fail(format!("{v:?} re-encode {p:?} from {bytes:02x?}: {e}"))
            })?;
            let again = decode(&out, v, NO_LIMIT)
                .map_err(|e| TestCaseError::fail(format!("{v:?} re-decode {out:02x?}: {e}")))?;
            prop_assert_eq!(again.map(|(q, _)| q), Some(p));
        }
    }
    Ok(())
}

/// How to damage a packet: a few edits at random positions.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), 1..=255u8).prop_map(|(i, b)| Edit::Flip(i, b)),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        1 => any::<usize>().prop_map(Edit::Remove),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for e in edits {
        let len = bytes.len().max(1);
        match *e {
            Edit::Flip(i, b) if !bytes.is_empty() => bytes[i % len] ^= b,
            Edit::Set(i, b) if !bytes.is_empty() => bytes[i % len] = b,
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Remove(i) if !bytes.is_empty() => {
                bytes.remove(i % len);
            }
            Edit::Truncate(i) => bytes.truncate(i % len),
            _ => {}
        }
    }
}

/// A valid packet of some level, encoded, then damaged.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        version().prop_flat_map(|v| (Just(v), packet(v))),
        vec(edit(), 1..4),
    )
        .prop_map(|((v, p), edits)| {
            let mut bytes = Vec::new();
            encode(&p, v, &mut bytes).expect("generated packets are valid");
            apply(&mut bytes, &edits);
            bytes
        })
}

/// Random bytes whose first byte is usually a real packet type with the usual flags, so that
/// the body parsers are reached rather than the header check alone.
fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
    let first = prop_oneof![
        3 => prop::sample::select(vec![0x10u8, 0x20, 0x30, 0x32, 0x34, 0x3b, 0x40, 0x50, 0x62, 0x70, 0x82, 0x90, 0xa2, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0]),
        1 => any::<u8>(),
    ];
    (first, any::<u8>(), vec(any::<u8>(), 0..48)).prop_map(|(first, len, rest)| {
        let mut bytes = vec![first, len & 0x7f];
        if len & 0x80 != 0 {
            // Make the remaining length match the body sometimes, so the parsers run.
            bytes[1] = rest.len() as u8;
        }
        bytes.extend_from_slice(&rest);
        bytes
    })
}

proptest! {
    #![proptest_config(config(60_000))]

    #[test]
    fn mutated_packets_never_panic_the_decoder(bytes in mutated()) {
        decode_everything(&bytes)?;
    }
}

proptest! {
    #![proptest_config(config(40_000))]

    #[test]
    fn random_bytes_never_panic_the_decoder(bytes in random_bytes()) {
        decode_everything(&bytes)?;
    }
}

// ---- topic rules against a model ----

/// The filter rule written a second way, character by character: `+` has a separator (or
/// an end) on both sides, `#` is last and has a separator (or the start) before it.
fn filter_model(f: &str) -> bool {
    let b = f.as_bytes();
    !b.is_empty()
        && b.iter().enumerate().all(|(i, &c)| {
            let sep_before = i == 0 || b[i - 1] == b'/';
            let sep_after = i + 1 == b.len() || b[i + 1] == b'/';
            match c {
                b'+' => sep_before && sep_after,
                b'#' => sep_before && i + 1 == b.len(),
                0 => false,
                _ => true,
            }
        })
}

proptest! {
    #![proptest_config(config(5_000))]

    #[test]
    fn topic_filter_rule_matches_a_model(f in "[a/+#\u{0}]{0,8}") {
        prop_assert_eq!(validate_topic_filter(&f).is_ok(), filter_model(&f), "{:?}", f);
    }

    #[test]
    fn topic_name_rule_matches_a_model(t in "[a/+#\u{0}]{0,8}") {
        let model = !t.is_empty() && !t.contains(['+', '#', '\0']);
        prop_assert_eq!(validate_topic_name(&t).is_ok(), model, "{:?}", t);
    }
}
