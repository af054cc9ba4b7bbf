//! Known byte vectors for every control packet and protocol level, written by hand from the
//! MQTT 3.1, 3.1.1 and 5.0 specifications. Each one is checked in both directions and at
//! every split point of the input (a partial packet decodes to "need more", consuming nothing).

use std::borrow::Cow;

use paho_mqtt_c_rs::protocol::*;

use ProtocolVersion::{V31, V311, V5};

const ALL: [ProtocolVersion; 3] = [V31, V311, V5];
const NO_LIMIT: usize = usize::MAX;

/// Encode `p` and compare with `bytes`; decode `bytes` and compare with `p`; decode every
/// prefix and get "need more"; decode `bytes` followed by another packet and use only `bytes`.
fn both_ways(v: ProtocolVersion, p: &Packet<'_>, bytes: &[u8]) {
    let mut out = vec![0xAB]; // encode appends: existing bytes stay
    encode(p, v, &mut out).unwrap_or_else(|e| panic!("{v:?} encode {p:?}: {e}"));
    assert_eq!(&out[1..], bytes, "{v:?} encode {p:?}");
    assert_eq!(out[0], 0xAB);

    let (d, n) = decode(bytes, v, NO_LIMIT)
        .unwrap_or_else(|e| panic!("{v:?} decode {bytes:02x?}: {e}"))
        .expect("complete packet");
    assert_eq!(n, bytes.len());
    assert_eq!(&d, p, "{v:?} decode {bytes:02x?}");

    for k in 0..bytes.len() {
        assert_eq!(
            decode(&bytes[..k], v, NO_LIMIT),
            Ok(None),
            "{v:?} prefix {k} of {bytes:02x?}"
        );
    }

    let mut two = bytes.to_vec();
    two.extend_from_slice(&[0xC0, 0x00]);
    let (d2, n2) = decode(&two, v, NO_LIMIT).unwrap().unwrap();
    assert_eq!((&d2, n2), (p, bytes.len()));
    let (d3, n3) = decode(&two[n2..], v, NO_LIMIT).unwrap().unwrap();
    assert_eq!((d3, n3), (Packet::PingReq, 2));
}

/// `bytes` decodes to `p` (a longer form than the encoder writes), and `p` encodes to `short`.
fn decodes_to_short(v: ProtocolVersion, bytes: &[u8], p: &Packet<'_>, short: &[u8]) {
    let (d, n) = decode(bytes, v, NO_LIMIT).unwrap().unwrap();
    assert_eq!((&d, n), (p, bytes.len()), "{bytes:02x?}");
    both_ways(v, p, short);
}

fn props(list: Vec<(u8, PropertyValue<'static>)>) -> Properties<'static> {
    Properties(
        list.into_iter()
            .map(|(id, value)| Property { id, value })
            .collect(),
    )
}

fn user(k: &'static str, v: &'static str) -> (u8, PropertyValue<'static>) {
    (
        prop_id::USER_PROPERTY,
        PropertyValue::Pair(Cow::Borrowed(k), Cow::Borrowed(v)),
    )
}

fn utf8(id: u8, s: &'static str) -> (u8, PropertyValue<'static>) {
    (id, PropertyValue::Utf8(Cow::Borrowed(s)))
}

fn connect(version: ProtocolVersion, id: &'static str) -> Connect<'static> {
    Connect {
        version,
        client_id: Cow::Borrowed(id),
        clean_start: true,
        keep_alive: 60,
        username: None,
        password: None,
        will: None,
        properties: Properties::default(),
    }
}

fn publish(qos: QoS, topic: &'static str, id: u16, payload: &'static [u8]) -> Publish<'static> {
    Publish {
        dup: false,
        qos,
        retain: false,
        topic: Cow::Borrowed(topic),
        packet_id: id,
        properties: Properties::default(),
        payload: Cow::Borrowed(payload),
    }
}

fn ack(id: u16, reason: u8) -> Ack<'static> {
    Ack {
        packet_id: id,
        reason,
        properties: Properties::default(),
    }
}

fn opts(qos: QoS) -> SubscriptionOptions {
    SubscriptionOptions {
        qos,
        no_local: false,
        retain_as_published: false,
        retain_handling: 0,
    }
}

#[test]
fn connect_minimal_each_level() {
    both_ways(
        V31,
        &Packet::Connect(connect(V31, "c")),
        b"\x10\x0f\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x01c",
    );
    both_ways(
        V311,
        &Packet::Connect(connect(V311, "c")),
        b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01c",
    );
    both_ways(
        V5,
        &Packet::Connect(connect(V5, "c")),
        b"\x10\x0e\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x01c",
    );
}

#[test]
fn connect_carries_its_own_version() {
    // A CONNECT is read by its own protocol level whatever the caller expects.
    let bytes = b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01c";
    for v in ALL {
        let (p, _) = decode(bytes, v, NO_LIMIT).unwrap().unwrap();
        assert_eq!(p, Packet::Connect(connect(V311, "c")));
    }
}

#[test]
fn connect_empty_client_id_and_long_v31_client_id() {
    let mut c = connect(V311, "");
    c.clean_start = false;
    c.keep_alive = 0;
    both_ways(
        V311,
        &Packet::Connect(c),
        b"\x10\x0c\x00\x04MQTT\x04\x00\x00\x00\x00\x00",
    );
    // MQTT 3.1 said 23 characters at most; Paho does not enforce it and neither do we.
    let long = "a-client-identifier-longer-than-23";
    let c = connect(V31, long);
    let mut out = Vec::new();
    encode(&Packet::Connect(c.clone()), V31, &mut out).unwrap();
    assert_eq!(
        decode(&out, V31, NO_LIMIT).unwrap().unwrap().0,
        Packet::Connect(c)
    );
}

#[test]
fn connect_will_user_password_v311_and_v31() {
    for (v, head) in [
        (V311, &b"\x10\x1c\x00\x04MQTT\x04"[..]),
        (V31, &b"\x10\x1e\x00\x06MQIsdp\x03"[..]),
    ] {
        let mut c = connect(v, "id");
        c.keep_alive = 10;
        c.username = Some(Cow::Borrowed("u"));
        c.password = Some(Cow::Borrowed(b"p"));
        c.will = Some(LastWill {
            topic: Cow::Borrowed("w"),
            payload: Cow::Borrowed(b"bye"),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: Properties::default(),
        });
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(b"\xee\x00\x0a\x00\x02id\x00\x01w\x00\x03bye\x00\x01u\x00\x01p");
        both_ways(v, &Packet::Connect(c), &bytes);
    }
}

#[test]
fn connect_v5_properties_will_properties_password_only() {
    let mut c = connect(V5, "c");
    c.properties = props(vec![
        (
            prop_id::SESSION_EXPIRY_INTERVAL,
            PropertyValue::FourByte(3600),
        ),
        (prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(20)),
        user("a", "b"),
    ]);
    c.will = Some(LastWill {
        topic: Cow::Borrowed("w"),
        payload: Cow::Borrowed(b""),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: props(vec![(
            prop_id::WILL_DELAY_INTERVAL,
            PropertyValue::FourByte(5),
        )]),
    });
    // MQTT 5 allows a password without a user name.
    c.password = Some(Cow::Borrowed(b"pw"));
    both_ways(
        V5,
        &Packet::Connect(c),
        b"\x10\x2c\x00\x04MQTT\x05\x46\x00\x3c\
          \x0f\x11\x00\x00\x0e\x10\x21\x00\x14\x26\x00\x01a\x00\x01b\
          \x00\x01c\
          \x05\x18\x00\x00\x00\x05\x00\x01w\x00\x00\
          \x00\x02pw",
    );
}

#[test]
fn connack_each_level() {
    let ca = |sp, code| {
        Packet::ConnAck(ConnAck {
            session_present: sp,
            code,
            properties: Properties::default(),
        })
    };
    for v in [V31, V311] {
        both_ways(v, &ca(false, 0), b"\x20\x02\x00\x00");
        both_ways(v, &ca(false, 2), b"\x20\x02\x00\x02");
    }
    both_ways(V311, &ca(true, 0), b"\x20\x02\x01\x00");
    both_ways(V311, &ca(false, 5), b"\x20\x02\x00\x05");
    both_ways(V5, &ca(false, 0), b"\x20\x03\x00\x00\x00");
    // A reason code we do not know is kept as it is.
    both_ways(V5, &ca(false, 0x77), b"\x20\x03\x00\x77\x00");
    both_ways(
        V5,
        &Packet::ConnAck(ConnAck {
            session_present: true,
            code: 0,
            properties: props(vec![
                utf8(prop_id::ASSIGNED_CLIENT_IDENTIFIER, "x"),
                (prop_id::SERVER_KEEP_ALIVE, PropertyValue::TwoByte(30)),
            ]),
        }),
        b"\x20\x0a\x01\x00\x07\x12\x00\x01x\x13\x00\x1e",
    );
}

#[test]
fn connack_v5_every_connack_property() {
    let p = Packet::ConnAck(ConnAck {
        session_present: false,
        code: 0,
        properties: props(vec![
            (prop_id::SESSION_EXPIRY_INTERVAL, PropertyValue::FourByte(1)),
            (prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(2)),
            (prop_id::MAXIMUM_QOS, PropertyValue::Byte(1)),
            (prop_id::RETAIN_AVAILABLE, PropertyValue::Byte(0)),
            (prop_id::MAXIMUM_PACKET_SIZE, PropertyValue::FourByte(3)),
            utf8(prop_id::ASSIGNED_CLIENT_IDENTIFIER, "a"),
            (prop_id::TOPIC_ALIAS_MAXIMUM, PropertyValue::TwoByte(4)),
            utf8(prop_id::REASON_STRING, "r"),
            user("k", "v"),
            (
                prop_id::WILDCARD_SUBSCRIPTION_AVAILABLE,
                PropertyValue::Byte(1),
            ),
            (
                prop_id::SUBSCRIPTION_IDENTIFIERS_AVAILABLE,
                PropertyValue::Byte(1),
            ),
            (
                prop_id::SHARED_SUBSCRIPTION_AVAILABLE,
                PropertyValue::Byte(0),
            ),
            (prop_id::SERVER_KEEP_ALIVE, PropertyValue::TwoByte(5)),
            utf8(prop_id::RESPONSE_INFORMATION, "i"),
            utf8(prop_id::SERVER_REFERENCE, "s"),
            utf8(prop_id::AUTHENTICATION_METHOD, "m"),
            (
                prop_id::AUTHENTICATION_DATA,
                PropertyValue::Binary(Cow::Borrowed(b"d")),
            ),
        ]),
    });
    both_ways(
        V5,
        &p,
        b"\x20\x3f\x00\x00\x3c\
          \x11\x00\x00\x00\x01\x21\x00\x02\x24\x01\x25\x00\x27\x00\x00\x00\x03\
          \x12\x00\x01a\x22\x00\x04\x1f\x00\x01r\x26\x00\x01k\x00\x01v\
          \x28\x01\x29\x01\x2a\x00\x13\x00\x05\x1a\x00\x01i\x1c\x00\x01s\
          \x15\x00\x01m\x16\x00\x01d",
    );
}

#[test]
fn publish_3x() {
    for v in [V31, V311] {
        both_ways(
            v,
            &Packet::Publish(publish(QoS::AtMostOnce, "a/b", 0, b"hello")),
            b"\x30\x0a\x00\x03a/b\x68\x65\x6c\x6c\x6f",
        );
        let mut p = publish(QoS::AtLeastOnce, "t", 0x1234, b"xy");
        p.dup = true;
        p.retain = true;
        both_ways(v, &Packet::Publish(p), b"\x3b\x07\x00\x01t\x12\x34xy");
        both_ways(
            v,
            &Packet::Publish(publish(QoS::ExactlyOnce, "t", 1, b"")),
            b"\x34\x05\x00\x01t\x00\x01",
        );
    }
}

#[test]
fn publish_two_byte_remaining_length() {
    let payload: &'static [u8] = &[0xAA; 200];
    let mut bytes = b"\x30\xcb\x01\x00\x01t".to_vec();
    bytes.extend_from_slice(payload);
    both_ways(
        V311,
        &Packet::Publish(publish(QoS::AtMostOnce, "t", 0, payload)),
        &bytes,
    );
}

#[test]
fn publish_three_byte_remaining_length() {
    let payload: &'static [u8] = Box::leak(vec![7u8; 20_000].into_boxed_slice());
    // 3 + 20,000 = 20,003 = 0x4e23 -> a3 9c 01
    let mut bytes = b"\x30\xa3\x9c\x01\x00\x01t".to_vec();
    bytes.extend_from_slice(payload);
    let p = Packet::Publish(publish(QoS::AtMostOnce, "t", 0, payload));
    let mut out = Vec::new();
    encode(&p, V311, &mut out).unwrap();
    assert_eq!(out, bytes);
    assert_eq!(
        decode(&bytes, V311, NO_LIMIT).unwrap().unwrap(),
        (p, bytes.len())
    );
    // Splits around the header only: the body is one slice either way.
    for k in [0, 1, 2, 3, 4, 5, 6, bytes.len() - 1] {
        assert_eq!(decode(&bytes[..k], V311, NO_LIMIT), Ok(None));
    }
}

#[test]
fn publish_v5() {
    both_ways(
        V5,
        &Packet::Publish(publish(QoS::AtMostOnce, "t", 0, b"x")),
        b"\x30\x05\x00\x01t\x00x",
    );
    let mut p = publish(QoS::AtLeastOnce, "t", 1, b"p");
    p.properties = props(vec![
        (prop_id::PAYLOAD_FORMAT_INDICATOR, PropertyValue::Byte(1)),
        (
            prop_id::MESSAGE_EXPIRY_INTERVAL,
            PropertyValue::FourByte(60),
        ),
        (prop_id::TOPIC_ALIAS, PropertyValue::TwoByte(5)),
        user("k", "v"),
        (prop_id::SUBSCRIPTION_IDENTIFIER, PropertyValue::VarInt(128)),
        (
            prop_id::CORRELATION_DATA,
            PropertyValue::Binary(Cow::Borrowed(b"\x01\x02")),
        ),
    ]);
    both_ways(
        V5,
        &Packet::Publish(p),
        b"\x32\x20\x00\x01t\x00\x01\x19\
          \x01\x01\x02\x00\x00\x00\x3c\x23\x00\x05\x26\x00\x01k\x00\x01v\x0b\x80\x01\x09\x00\x02\x01\x02\
          p",
    );
}

#[test]
fn publish_v5_response_topic_content_type_and_repeated_subscription_ids() {
    let mut p = publish(QoS::AtMostOnce, "t", 0, b"");
    p.properties = props(vec![
        utf8(prop_id::RESPONSE_TOPIC, "r/1"),
        utf8(prop_id::CONTENT_TYPE, "j"),
        // A server may send one subscription identifier per matching subscription.
        (prop_id::SUBSCRIPTION_IDENTIFIER, PropertyValue::VarInt(1)),
        (
            prop_id::SUBSCRIPTION_IDENTIFIER,
            PropertyValue::VarInt(268_435_455),
        ),
        user("a", "1"),
        user("a", "1"),
        user("a", "0"),
    ]);
    both_ways(
        V5,
        &Packet::Publish(p),
        b"\x30\x2a\x00\x01t\x26\
          \x08\x00\x03r/1\x03\x00\x01j\x0b\x01\x0b\xff\xff\xff\x7f\
          \x26\x00\x01a\x00\x011\x26\x00\x01a\x00\x011\x26\x00\x01a\x00\x010",
    );
}

#[test]
fn publish_v5_empty_topic_with_alias() {
    let mut p = publish(QoS::AtMostOnce, "", 0, b"x");
    p.properties = props(vec![(prop_id::TOPIC_ALIAS, PropertyValue::TwoByte(1))]);
    both_ways(
        V5,
        &Packet::Publish(p),
        b"\x30\x07\x00\x00\x03\x23\x00\x01x",
    );
}

#[test]
fn acks_3x() {
    for v in [V31, V311] {
        both_ways(v, &Packet::PubAck(ack(1, 0)), b"\x40\x02\x00\x01");
        both_ways(v, &Packet::PubRec(ack(2, 0)), b"\x50\x02\x00\x02");
        both_ways(v, &Packet::PubRel(ack(3, 0)), b"\x62\x02\x00\x03");
        both_ways(v, &Packet::PubComp(ack(0xffff, 0)), b"\x70\x02\xff\xff");
    }
}

#[test]
fn acks_v5_short_and_long_forms() {
    both_ways(V5, &Packet::PubAck(ack(1, 0)), b"\x40\x02\x00\x01");
    both_ways(V5, &Packet::PubAck(ack(1, 0x10)), b"\x40\x03\x00\x01\x10");
    both_ways(V5, &Packet::PubRec(ack(2, 0xEE)), b"\x50\x03\x00\x02\xee");
    both_ways(V5, &Packet::PubRel(ack(3, 0x92)), b"\x62\x03\x00\x03\x92");
    let mut a = ack(1, 0x97);
    a.properties = props(vec![utf8(prop_id::REASON_STRING, "e")]);
    both_ways(
        V5,
        &Packet::PubAck(a),
        b"\x40\x08\x00\x01\x97\x04\x1f\x00\x01e",
    );
    let mut a = ack(4, 0);
    a.properties = props(vec![user("a", "b")]);
    both_ways(
        V5,
        &Packet::PubComp(a),
        b"\x70\x0b\x00\x04\x00\x07\x26\x00\x01a\x00\x01b",
    );
    // Longer forms than needed are accepted on decode; the encoder writes the shortest.
    decodes_to_short(
        V5,
        b"\x40\x04\x00\x01\x00\x00",
        &Packet::PubAck(ack(1, 0)),
        b"\x40\x02\x00\x01",
    );
    decodes_to_short(
        V5,
        b"\x40\x03\x00\x01\x00",
        &Packet::PubAck(ack(1, 0)),
        b"\x40\x02\x00\x01",
    );
    decodes_to_short(
        V5,
        b"\x50\x04\x00\x01\x80\x00",
        &Packet::PubRec(ack(1, 0x80)),
        b"\x50\x03\x00\x01\x80",
    );
}

#[test]
fn subscribe_each_level() {
    let s = Packet::Subscribe(Subscribe {
        packet_id: 1,
        properties: Properties::default(),
        filters: vec![
            (Cow::Borrowed("a/b"), opts(QoS::AtLeastOnce)),
            (Cow::Borrowed("#"), opts(QoS::ExactlyOnce)),
        ],
    });
    let bytes = b"\x82\x0c\x00\x01\x00\x03a/b\x01\x00\x01#\x02";
    both_ways(V31, &s, bytes);
    both_ways(V311, &s, bytes);

    let s5 = Packet::Subscribe(Subscribe {
        packet_id: 1,
        properties: props(vec![
            (prop_id::SUBSCRIPTION_IDENTIFIER, PropertyValue::VarInt(2)),
            user("k", "v"),
        ]),
        filters: vec![
            (
                Cow::Borrowed("a/+"),
                SubscriptionOptions {
                    qos: QoS::AtLeastOnce,
                    no_local: true,
                    retain_as_published: true,
                    retain_handling: 2,
                },
            ),
            (Cow::Borrowed("$share/g/x"), opts(QoS::AtMostOnce)),
        ],
    });
    both_ways(
        V5,
        &s5,
        b"\x82\x1f\x00\x01\x09\x0b\x02\x26\x00\x01k\x00\x01v\
          \x00\x03a/+\x2d\x00\x0a$share/g/x\x00",
    );
}

#[test]
fn mqtt31_resent_pubrel_subscribe_unsubscribe_may_carry_dup() {
    let (p, _) = decode(b"\x6a\x02\x00\x03", V31, NO_LIMIT).unwrap().unwrap();
    assert_eq!(p, Packet::PubRel(ack(3, 0)));
    assert_eq!(
        decode(b"\x6a\x02\x00\x03", V311, NO_LIMIT),
        Err(CodecError::BadFlags(0x6a))
    );
}

#[test]
fn suback_each_level() {
    let sa = |codes: &[u8]| {
        Packet::SubAck(SubAck {
            packet_id: 1,
            properties: Properties::default(),
            codes: codes.to_vec(),
        })
    };
    both_ways(V31, &sa(&[0]), b"\x90\x03\x00\x01\x00");
    both_ways(V311, &sa(&[1, 0x80]), b"\x90\x04\x00\x01\x01\x80");
    both_ways(V5, &sa(&[2, 0x91]), b"\x90\x05\x00\x01\x00\x02\x91");
    both_ways(
        V5,
        &Packet::SubAck(SubAck {
            packet_id: 1,
            properties: props(vec![utf8(prop_id::REASON_STRING, "e")]),
            codes: vec![0x00],
        }),
        b"\x90\x08\x00\x01\x04\x1f\x00\x01e\x00",
    );
}

#[test]
fn unsubscribe_and_unsuback_each_level() {
    let u = Packet::Unsubscribe(Unsubscribe {
        packet_id: 2,
        properties: Properties::default(),
        filters: vec![Cow::Borrowed("a/b")],
    });
    both_ways(V31, &u, b"\xa2\x07\x00\x02\x00\x03a/b");
    both_ways(V311, &u, b"\xa2\x07\x00\x02\x00\x03a/b");
    both_ways(V5, &u, b"\xa2\x08\x00\x02\x00\x00\x03a/b");
    let u2 = Packet::Unsubscribe(Unsubscribe {
        packet_id: 2,
        properties: props(vec![user("k", "v")]),
        filters: vec![Cow::Borrowed("a/#"), Cow::Borrowed("+")],
    });
    both_ways(
        V5,
        &u2,
        b"\xa2\x12\x00\x02\x07\x26\x00\x01k\x00\x01v\x00\x03a/#\x00\x01+",
    );

    let ua = |codes: &[u8]| {
        Packet::UnsubAck(SubAck {
            packet_id: 2,
            properties: Properties::default(),
            codes: codes.to_vec(),
        })
    };
    both_ways(V31, &ua(&[]), b"\xb0\x02\x00\x02");
    both_ways(V311, &ua(&[]), b"\xb0\x02\x00\x02");
    both_ways(V5, &ua(&[0x00, 0x11]), b"\xb0\x05\x00\x02\x00\x00\x11");
}

#[test]
fn ping_every_level() {
    for v in ALL {
        both_ways(v, &Packet::PingReq, b"\xc0\x00");
        both_ways(v, &Packet::PingResp, b"\xd0\x00");
    }
}

#[test]
fn disconnect_each_level_and_short_forms() {
    let d = |reason, properties| Packet::Disconnect(Disconnect { reason, properties });
    for v in ALL {
        both_ways(v, &d(0, Properties::default()), b"\xe0\x00");
    }
    both_ways(V5, &d(0x04, Properties::default()), b"\xe0\x01\x04");
    both_ways(
        V5,
        &d(
            0,
            props(vec![(
                prop_id::SESSION_EXPIRY_INTERVAL,
                PropertyValue::FourByte(0),
            )]),
        ),
        b"\xe0\x07\x00\x05\x11\x00\x00\x00\x00",
    );
    both_ways(
        V5,
        &d(
            0x9c,
            props(vec![
                utf8(prop_id::REASON_STRING, "e"),
                utf8(prop_id::SERVER_REFERENCE, "s"),
            ]),
        ),
        b"\xe0\x0a\x9c\x08\x1f\x00\x01e\x1c\x00\x01s",
    );
    decodes_to_short(
        V5,
        b"\xe0\x02\x00\x00",
        &d(0, Properties::default()),
        b"\xe0\x00",
    );
    decodes_to_short(
        V5,
        b"\xe0\x01\x00",
        &d(0, Properties::default()),
        b"\xe0\x00",
    );
}

#[test]
fn auth_v5_forms() {
    let a = |reason, properties| Packet::Auth(Disconnect { reason, properties });
    both_ways(V5, &a(0, Properties::default()), b"\xf0\x00");
    both_ways(V5, &a(0x18, Properties::default()), b"\xf0\x01\x18");
    both_ways(
        V5,
        &a(
            0x18,
            props(vec![
                utf8(prop_id::AUTHENTICATION_METHOD, "SCR"),
                (
                    prop_id::AUTHENTICATION_DATA,
                    PropertyValue::Binary(Cow::Borrowed(b"x")),
                ),
                utf8(prop_id::REASON_STRING, "r"),
                user("k", "v"),
            ]),
        ),
        b"\xf0\x17\x18\x15\x15\x00\x03SCR\x16\x00\x01x\x1f\x00\x01r\x26\x00\x01k\x00\x01v",
    );
}

#[test]
fn every_property_identifier_has_its_spec_type() {
    use PropertyType::*;
    let table = [
        (0x01, Byte),
        (0x02, FourByteInteger),
        (0x03, Utf8String),
        (0x08, Utf8String),
        (0x09, BinaryData),
        (0x0B, VariableByteInteger),
        (0x11, FourByteInteger),
        (0x12, Utf8String),
        (0x13, TwoByteInteger),
        (0x15, Utf8String),
        (0x16, BinaryData),
        (0x17, Byte),
        (0x18, FourByteInteger),
        (0x19, Byte),
        (0x1A, Utf8String),
        (0x1C, Utf8String),
        (0x1F, Utf8String),
        (0x21, TwoByteInteger),
        (0x22, TwoByteInteger),
        (0x23, TwoByteInteger),
        (0x24, Byte),
        (0x25, Byte),
        (0x26, Utf8StringPair),
        (0x27, FourByteInteger),
        (0x28, Byte),
        (0x29, Byte),
        (0x2A, Byte),
    ];
    for id in 0..=255u8 {
        let want = table.iter().find(|(i, _)| *i == id).map(|(_, t)| *t);
        assert_eq!(property_type(id), want, "property 0x{id:02x}");
    }
}

#[test]
fn decoded_publish_borrows_from_the_buffer() {
    let bytes = b"\x32\x07\x00\x01t\x12\x34xy";
    let (p, _) = decode(bytes, V311, NO_LIMIT).unwrap().unwrap();
    let Packet::Publish(p) = p else { panic!() };
    assert!(matches!(p.topic, Cow::Borrowed(_)));
    let Cow::Borrowed(payload) = p.payload else {
        panic!("payload copied")
    };
    assert_eq!(payload.as_ptr(), bytes[7..].as_ptr());
}

#[test]
fn decode_empty_buffer_needs_more() {
    for v in ALL {
        assert_eq!(decode(&[], v, NO_LIMIT), Ok(None));
    }
}
