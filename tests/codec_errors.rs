//! Every validation rule of the codec, on encode and on decode: each broken rule is a typed
//! error, never a panic and never a silent fix-up.

use std::borrow::Cow;

use paho_mqtt_c_rs::protocol::*;

use CodecError::*;
use ProtocolVersion::{V31, V311, V5};

const ALL: [ProtocolVersion; 3] = [V31, V311, V5];
const NO_LIMIT: usize = usize::MAX;

#[track_caller]
fn dec_err(v: ProtocolVersion, bytes: &[u8]) -> CodecError {
    match decode(bytes, v, NO_LIMIT) {
        Err(e) => e,
        Ok(p) => panic!("{v:?} {bytes:02x?} decoded to {p:?}"),
    }
}

/// The encode error; also checks that the output buffer is left as it was.
#[track_caller]
fn enc_err(v: ProtocolVersion, p: &Packet<'_>) -> CodecError {
    let mut out = vec![1, 2, 3];
    match encode(p, v, &mut out) {
        Err(e) => {
            assert_eq!(out, [1, 2, 3], "output changed on error");
            e
        }
        Ok(()) => panic!("{v:?} {p:?} encoded to {out:02x?}"),
    }
}

fn props(list: Vec<(u8, PropertyValue<'static>)>) -> Properties<'static> {
    Properties(
        list.into_iter()
            .map(|(id, value)| Property { id, value })
            .collect(),
    )
}

fn publish(qos: QoS, topic: &str, id: u16) -> Publish<'_> {
    Publish {
        dup: false,
        qos,
        retain: false,
        topic: Cow::Borrowed(topic),
        packet_id: id,
        properties: Properties::default(),
        payload: Cow::Borrowed(b"x"),
    }
}

fn publish_with(p: Properties<'static>) -> Packet<'static> {
    let mut pb = publish(QoS::AtMostOnce, "t", 0);
    pb.properties = p;
    Packet::Publish(pb)
}

fn connect(version: ProtocolVersion) -> Connect<'static> {
    Connect {
        version,
        client_id: Cow::Borrowed("c"),
        clean_start: true,
        keep_alive: 0,
        username: None,
        password: None,
        will: None,
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

fn subscribe(filter: &str, o: SubscriptionOptions) -> Packet<'_> {
    Packet::Subscribe(Subscribe {
        packet_id: 1,
        properties: Properties::default(),
        filters: vec![(Cow::Borrowed(filter), o)],
    })
}

fn ack(id: u16, reason: u8) -> Ack<'static> {
    Ack {
        packet_id: id,
        reason,
        properties: Properties::default(),
    }
}

// ---- remaining length and packet size ----

#[test]
fn fifth_remaining_length_byte_is_refused_without_waiting_for_it() {
    for v in ALL {
        assert_eq!(dec_err(v, b"\x30\x80\x80\x80\x80\x01"), BadRemainingLength);
        assert_eq!(dec_err(v, b"\x30\xff\xff\xff\xff"), BadRemainingLength);
        // Four bytes is the most there is, and it is fine.
        assert_eq!(decode(b"\x30\xff\xff\xff\x7f", v, NO_LIMIT), Ok(None));
    }
}

#[test]
fn remaining_length_over_the_maximum_is_an_encode_error() {
    // calloc'd pages: nothing is touched, so this costs no real memory.
    let payload = vec![0u8; 268_435_455 - 3 + 1];
    let mut p = publish(QoS::AtMostOnce, "t", 0);
    p.payload = Cow::Borrowed(&payload);
    assert_eq!(enc_err(V311, &Packet::Publish(p)), BadRemainingLength);
}

#[test]
fn max_packet_size_is_checked_from_the_fixed_header_alone() {
    // Only two bytes present: the header says 2 + 127 bytes, over a limit of 100.
    assert_eq!(
        decode(b"\x30\x7f", V311, 100),
        Err(PacketTooLarge {
            size: 129,
            max: 100
        })
    );
    assert_eq!(
        decode(b"\x30\x80\x01", V5, 130),
        Err(PacketTooLarge {
            size: 131,
            max: 130
        })
    );
    // Exactly at the limit is allowed.
    let bytes = b"\x30\x05\x00\x01tab";
    assert!(decode(bytes, V311, bytes.len()).unwrap().is_some());
    assert_eq!(
        decode(bytes, V311, bytes.len() - 1),
        Err(PacketTooLarge { size: 7, max: 6 })
    );
    assert_eq!(PacketTooLarge { size: 7, max: 6 }.reason_code(), 0x95);
}

// ---- strings and binary fields ----

#[test]
fn string_and_binary_fields_over_65535_bytes_are_errors_not_truncated() {
    let long = "a".repeat(65_536);
    let long_bin = vec![0u8; 65_536];
    assert_eq!(
        enc_err(V311, &Packet::Publish(publish(QoS::AtMostOnce, &long, 0))),
        FieldTooLong
    );
    let mut c = connect(V311);
    c.client_id = Cow::Borrowed(&long);
    assert_eq!(enc_err(V311, &Packet::Connect(c)), FieldTooLong);
    let mut c = connect(V311);
    c.username = Some(Cow::Borrowed(&long));
    assert_eq!(enc_err(V311, &Packet::Connect(c)), FieldTooLong);
    let mut c = connect(V311);
    c.username = Some(Cow::Borrowed("u"));
    c.password = Some(Cow::Borrowed(&long_bin));
    assert_eq!(enc_err(V311, &Packet::Connect(c)), FieldTooLong);
    let mut c = connect(V5);
    c.will = Some(LastWill {
        topic: Cow::Borrowed("w"),
        payload: Cow::Borrowed(&long_bin),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: Properties::default(),
    });
    assert_eq!(enc_err(V5, &Packet::Connect(c)), FieldTooLong);
    let big = props(vec![(
        prop_id::CORRELATION_DATA,
        PropertyValue::Binary(Cow::Owned(long_bin.clone())),
    )]);
    assert_eq!(enc_err(V5, &publish_with(big)), FieldTooLong);
    let big = props(vec![(
        prop_id::USER_PROPERTY,
        PropertyValue::Pair(Cow::Borrowed("k"), Cow::Owned(long.clone())),
    )]);
    assert_eq!(enc_err(V5, &publish_with(big)), FieldTooLong);
    assert_eq!(validate_mqtt_string(long.as_bytes()), Err(FieldTooLong));
    // 65,535 is the limit and is fine.
    let ok = "a".repeat(65_535);
    let mut out = Vec::new();
    encode(
        &Packet::Publish(publish(QoS::AtMostOnce, &ok, 0)),
        V311,
        &mut out,
    )
    .unwrap();
}

#[test]
fn malformed_utf8_nul_and_surrogates_are_refused_on_decode() {
    for v in ALL {
        // Topic "\xff"
        assert_eq!(dec_err(v, b"\x30\x04\x00\x01\xffx"), BadUtf8);
        // Topic "a\0"
        assert_eq!(dec_err(v, b"\x30\x05\x00\x02a\x00x"), BadUtf8);
        // Topic U+D800 encoded as UTF-8
        assert_eq!(dec_err(v, b"\x30\x06\x00\x03\xed\xa0\x80x"), BadUtf8);
        // Overlong encoding of '/'
        assert_eq!(dec_err(v, b"\x30\x05\x00\x02\xc0\xafx"), BadUtf8);
    }
    // Subscribe filter with a NUL.
    for v in [V31, V311] {
        assert_eq!(dec_err(v, b"\x82\x06\x00\x01\x00\x01\x00\x00"), BadUtf8);
    }
    assert_eq!(
        dec_err(V5, b"\x82\x07\x00\x01\x00\x00\x01\x00\x00"),
        BadUtf8
    );
    // A user property value that is not UTF-8.
    assert_eq!(
        dec_err(V5, b"\x30\x0c\x00\x01t\x07\x26\x00\x01k\x00\x01\xfex"),
        BadUtf8
    );
    // Client identifier in CONNECT.
    assert_eq!(
        dec_err(V311, b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01\x80"),
        BadUtf8
    );
    assert_eq!(validate_mqtt_string(b"\xed\xbf\xbf"), Err(BadUtf8));
}

#[test]
fn nul_is_refused_on_encode_in_every_string() {
    assert_eq!(
        enc_err(V311, &Packet::Publish(publish(QoS::AtMostOnce, "a\0", 0))),
        BadUtf8
    );
    let mut c = connect(V311);
    c.client_id = Cow::Borrowed("\0");
    assert_eq!(enc_err(V311, &Packet::Connect(c)), BadUtf8);
    let p = props(vec![(
        prop_id::USER_PROPERTY,
        PropertyValue::Pair(Cow::Borrowed("k\0"), Cow::Borrowed("v")),
    )]);
    assert_eq!(enc_err(V5, &publish_with(p)), BadUtf8);
    let p = props(vec![(
        prop_id::CONTENT_TYPE,
        PropertyValue::Utf8(Cow::Borrowed("\0")),
    )]);
    assert_eq!(enc_err(V5, &publish_with(p)), BadUtf8);
}

#[test]
fn control_characters_and_noncharacters_are_accepted() {
    // The specification says SHOULD NOT for these; Paho passes them through, so do we.
    let topic = "a\u{1}\u{1f}\u{7f}\u{80}\u{9f}\u{fdd0}\u{fffe}\u{10ffff}";
    assert_eq!(validate_topic_name(topic), Ok(()));
    let p = Packet::Publish(publish(QoS::AtMostOnce, topic, 0));
    let mut out = Vec::new();
    encode(&p, V311, &mut out).unwrap();
    assert_eq!(decode(&out, V311, NO_LIMIT).unwrap().unwrap().0, p);
}

// ---- topics ----

#[test]
fn wildcards_in_topic_names_are_refused() {
    for t in ["a/+", "#", "a/#", "+", "a+b"] {
        assert_eq!(validate_topic_name(t), Err(BadTopicName));
        for v in ALL {
            assert_eq!(
                enc_err(v, &Packet::Publish(publish(QoS::AtMostOnce, t, 0))),
                BadTopicName
            );
        }
    }
    for v in [V31, V311] {
        assert_eq!(dec_err(v, b"\x30\x04\x00\x01#x"), BadTopicName);
        assert_eq!(dec_err(v, b"\x30\x06\x00\x03a/+x"), BadTopicName);
    }
    assert_eq!(dec_err(V5, b"\x30\x05\x00\x01#\x00x"), BadTopicName);
    assert_eq!(dec_err(V5, b"\x30\x07\x00\x03a/+\x00x"), BadTopicName);
    let mut c = connect(V311);
    c.will = Some(LastWill {
        topic: Cow::Borrowed("w/#"),
        payload: Cow::Borrowed(b""),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: Properties::default(),
    });
    assert_eq!(enc_err(V311, &Packet::Connect(c)), BadTopicName);
    // The same CONNECT on the wire: will flag, topic "#".
    assert_eq!(
        dec_err(
            V311,
            b"\x10\x12\x00\x04MQTT\x04\x06\x00\x00\x00\x01c\x00\x01#\x00\x00"
        ),
        BadTopicName
    );
    assert_eq!(BadTopicName.reason_code(), 0x90);
}

#[test]
fn empty_topic_name_needs_a_v5_topic_alias() {
    for v in [V31, V311, V5] {
        assert_eq!(
            enc_err(v, &Packet::Publish(publish(QoS::AtMostOnce, "", 0))),
            BadTopicName
        );
    }
    assert_eq!(dec_err(V311, b"\x30\x03\x00\x00x"), BadTopicName);
    assert_eq!(dec_err(V5, b"\x30\x04\x00\x00\x00x"), BadTopicName);
    assert_eq!(validate_topic_name(""), Err(BadTopicName));
}

#[test]
fn illegal_wildcard_placement_in_filters() {
    for f in ["a+", "+a/b", "a/#/b", "#a", "a/b#", ""] {
        assert_eq!(validate_topic_filter(f), Err(BadTopicFilter), "{f}");
        for v in ALL {
            assert_eq!(
                enc_err(v, &subscribe(f, opts(QoS::AtMostOnce))),
                BadTopicFilter,
                "{f}"
            );
            let u = Packet::Unsubscribe(Unsubscribe {
                packet_id: 1,
                properties: Properties::default(),
                filters: vec![Cow::Borrowed(f)],
            });
            assert_eq!(enc_err(v, &u), BadTopicFilter, "{f}");
        }
    }
    for v in [V31, V311] {
        assert_eq!(
            dec_err(v, b"\x82\x07\x00\x01\x00\x02a+\x00"),
            BadTopicFilter
        );
        assert_eq!(dec_err(v, b"\xa2\x07\x00\x01\x00\x03#/a"), BadTopicFilter);
    }
    assert_eq!(
        dec_err(V5, b"\x82\x08\x00\x01\x00\x00\x02a+\x00"),
        BadTopicFilter
    );
}

#[test]
fn shared_subscription_rules_in_v5() {
    let mut o = opts(QoS::AtLeastOnce);
    o.no_local = true;
    assert_eq!(enc_err(V5, &subscribe("$share/g/a", o)), BadTopicFilter);
    assert_eq!(
        enc_err(V5, &subscribe("$share/g", opts(QoS::AtMostOnce))),
        BadTopicFilter
    );
    assert_eq!(
        enc_err(V5, &subscribe("$share/+/a", opts(QoS::AtMostOnce))),
        BadTopicFilter
    );
    // No Local on $share/g/a (options 0x05) on the wire.
    assert_eq!(
        dec_err(V5, b"\x82\x10\x00\x01\x00\x00\x0a$share/g/a\x05"),
        BadTopicFilter
    );
}

// ---- packet identifiers ----

#[test]
fn packet_id_zero_is_refused_where_one_is_required() {
    for v in ALL {
        assert_eq!(
            enc_err(v, &Packet::Publish(publish(QoS::AtLeastOnce, "t", 0))),
            ZeroPacketId
        );
        assert_eq!(
            enc_err(v, &Packet::Publish(publish(QoS::ExactlyOnce, "t", 0))),
            ZeroPacketId
        );
        assert_eq!(enc_err(v, &Packet::PubAck(ack(0, 0))), ZeroPacketId);
        assert_eq!(enc_err(v, &Packet::PubRec(ack(0, 0))), ZeroPacketId);
        assert_eq!(enc_err(v, &Packet::PubRel(ack(0, 0))), ZeroPacketId);
        assert_eq!(enc_err(v, &Packet::PubComp(ack(0, 0))), ZeroPacketId);
        let Packet::Subscribe(mut s) = subscribe("a", opts(QoS::AtMostOnce)) else {
            unreachable!()
        };
        s.packet_id = 0;
        assert_eq!(enc_err(v, &Packet::Subscribe(s)), ZeroPacketId);
        let u = Unsubscribe {
            packet_id: 0,
            properties: Properties::default(),
            filters: vec![Cow::Borrowed("a")],
        };
        assert_eq!(enc_err(v, &Packet::Unsubscribe(u)), ZeroPacketId);
        let sa = SubAck {
            packet_id: 0,
            properties: Properties::default(),
            codes: vec![0],
        };
        assert_eq!(enc_err(v, &Packet::SubAck(sa.clone())), ZeroPacketId);
        let mut ua = sa;
        if v != V5 {
            ua.codes.clear();
        }
        assert_eq!(enc_err(v, &Packet::UnsubAck(ua)), ZeroPacketId);

        assert_eq!(dec_err(v, b"\x32\x05\x00\x01t\x00\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\x40\x02\x00\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\x50\x02\x00\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\x62\x02\x00\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\x70\x02\x00\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\x90\x03\x00\x00\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\xb0\x02\x00\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\x82\x06\x00\x00\x00\x01a\x00"), ZeroPacketId);
        assert_eq!(dec_err(v, b"\xa2\x05\x00\x00\x00\x01a"), ZeroPacketId);
    }
}

#[test]
fn qos0_publish_with_a_packet_id_does_not_encode() {
    let e = enc_err(V311, &Packet::Publish(publish(QoS::AtMostOnce, "t", 7)));
    assert!(matches!(e, Malformed(_)), "{e:?}");
}

// ---- fixed header flags and QoS ----

#[test]
fn reserved_flag_bits_are_checked_from_the_first_byte() {
    for v in ALL {
        for first in [
            0x60u8, 0x63, 0x80, 0x83, 0xA0, 0xA3, 0x41, 0x51, 0x71, 0x11, 0x21, 0x91, 0xB1, 0xC1,
            0xD8, 0xE2,
        ] {
            // One byte is enough to tell.
            assert_eq!(dec_err(v, &[first]), BadFlags(first), "{v:?} {first:02x}");
        }
        // DUP on QoS 0.
        assert_eq!(dec_err(v, b"\x38"), BadFlags(0x38));
        let mut p = publish(QoS::AtMostOnce, "t", 0);
        p.dup = true;
        assert!(matches!(enc_err(v, &Packet::Publish(p)), BadFlags(_)));
    }
    assert_eq!(dec_err(V5, b"\xF1"), BadFlags(0xF1));
}

#[test]
fn qos_3_is_refused() {
    for v in ALL {
        assert_eq!(dec_err(v, b"\x36"), BadQoS);
        assert_eq!(dec_err(v, b"\x3e\x05\x00\x01t\x00\x01"), BadQoS);
    }
    for v in [V31, V311] {
        assert_eq!(dec_err(v, b"\x82\x06\x00\x01\x00\x01a\x03"), BadQoS);
        // CONNECT with will flag and will QoS 3.
        assert_eq!(
            dec_err(
                v,
                b"\x10\x12\x00\x04MQTT\x04\x1e\x00\x00\x00\x01c\x00\x01w\x00\x00"
            ),
            BadQoS
        );
    }
    assert_eq!(dec_err(V5, b"\x82\x07\x00\x01\x00\x00\x01a\x03"), BadQoS);
}

#[test]
fn unknown_packet_types_and_auth_before_v5() {
    for v in ALL {
        assert_eq!(dec_err(v, b"\x00\x00"), UnknownPacketType(0));
    }
    for v in [V31, V311] {
        assert_eq!(dec_err(v, b"\xf0\x00"), UnknownPacketType(15));
        let a = Packet::Auth(Disconnect {
            reason: 0,
            properties: Properties::default(),
        });
        assert_eq!(enc_err(v, &a), WrongVersion);
    }
}

// ---- properties ----

#[test]
fn property_not_allowed_in_the_packet() {
    let p = props(vec![(
        prop_id::SESSION_EXPIRY_INTERVAL,
        PropertyValue::FourByte(1),
    )]);
    assert_eq!(enc_err(V5, &publish_with(p)), BadProperty(0x11));
    assert_eq!(
        dec_err(V5, b"\x30\x09\x00\x01t\x05\x11\x00\x00\x00\x01"),
        BadProperty(0x11)
    );
    // Topic alias in SUBSCRIBE.
    let s = Packet::Subscribe(Subscribe {
        packet_id: 1,
        properties: props(vec![(prop_id::TOPIC_ALIAS, PropertyValue::TwoByte(1))]),
        filters: vec![(Cow::Borrowed("a"), opts(QoS::AtMostOnce))],
    });
    assert_eq!(enc_err(V5, &s), BadProperty(0x23));
    // Reason string in PUBLISH.
    assert_eq!(
        dec_err(V5, b"\x30\x08\x00\x01t\x04\x1f\x00\x01e"),
        BadProperty(0x1f)
    );
    // Will delay interval in CONNECT (it belongs to the will properties).
    let mut c = connect(V5);
    c.properties = props(vec![(
        prop_id::WILL_DELAY_INTERVAL,
        PropertyValue::FourByte(1),
    )]);
    assert_eq!(enc_err(V5, &Packet::Connect(c)), BadProperty(0x18));
    // Session expiry in the will properties (it belongs to CONNECT's own).
    let mut c = connect(V5);
    c.will = Some(LastWill {
        topic: Cow::Borrowed("w"),
        payload: Cow::Borrowed(b""),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: props(vec![(
            prop_id::SESSION_EXPIRY_INTERVAL,
            PropertyValue::FourByte(1),
        )]),
    });
    assert_eq!(enc_err(V5, &Packet::Connect(c)), BadProperty(0x11));
    // Server keep alive in DISCONNECT.
    assert_eq!(
        dec_err(V5, b"\xe0\x05\x00\x03\x13\x00\x01"),
        BadProperty(0x13)
    );
    // A Malformed Packet (2.2.2.2), where a repeat is a Protocol Error.
    assert_eq!(BadProperty(0x13).reason_code(), 0x81);
    assert_eq!(PropertyConflict(0x13).reason_code(), 0x82);
}

#[test]
fn unknown_property_identifiers_are_refused() {
    for id in [
        0x00u8, 0x04, 0x0A, 0x10, 0x14, 0x1B, 0x1D, 0x20, 0x2B, 0x7F, 0x80, 0xFF,
    ] {
        let bytes = [0x30, 0x06, 0x00, 0x01, b't', 0x02, id, 0x00];
        assert_eq!(dec_err(V5, &bytes), BadProperty(id), "{id:02x}");
        let p = props(vec![(id, PropertyValue::Byte(0))]);
        assert_eq!(enc_err(V5, &publish_with(p)), BadProperty(id));
    }
}

#[test]
fn property_value_of_the_wrong_type_does_not_encode() {
    let p = props(vec![(prop_id::TOPIC_ALIAS, PropertyValue::FourByte(1))]);
    assert_eq!(enc_err(V5, &publish_with(p)), BadProperty(0x23));
    let p = props(vec![(
        prop_id::CONTENT_TYPE,
        PropertyValue::Binary(Cow::Borrowed(b"x")),
    )]);
    assert_eq!(enc_err(V5, &publish_with(p)), BadProperty(0x03));
}

#[test]
fn repeated_properties_where_forbidden() {
    let p = props(vec![
        (prop_id::MESSAGE_EXPIRY_INTERVAL, PropertyValue::FourByte(1)),
        (prop_id::MESSAGE_EXPIRY_INTERVAL, PropertyValue::FourByte(2)),
    ]);
    assert_eq!(enc_err(V5, &publish_with(p)), PropertyConflict(0x02));
    assert_eq!(
        dec_err(
            V5,
            b"\x30\x0e\x00\x01t\x0a\x02\x00\x00\x00\x01\x02\x00\x00\x00\x02"
        ),
        PropertyConflict(0x02)
    );
    // One subscription identifier per SUBSCRIBE.
    let s = Packet::Subscribe(Subscribe {
        packet_id: 1,
        properties: props(vec![
            (prop_id::SUBSCRIPTION_IDENTIFIER, PropertyValue::VarInt(1)),
            (prop_id::SUBSCRIPTION_IDENTIFIER, PropertyValue::VarInt(2)),
        ]),
        filters: vec![(Cow::Borrowed("a"), opts(QoS::AtMostOnce))],
    });
    assert_eq!(enc_err(V5, &s), PropertyConflict(0x0B));
    assert_eq!(
        dec_err(V5, b"\x82\x0a\x00\x01\x04\x0b\x01\x0b\x02\x00\x01a\x00"),
        PropertyConflict(0x0B)
    );
    // Two reason strings in a PUBACK.
    assert_eq!(
        dec_err(V5, b"\x40\x0c\x00\x01\x80\x08\x1f\x00\x01a\x1f\x00\x01b"),
        PropertyConflict(0x1F)
    );
}

#[test]
fn property_values_out_of_range() {
    let cases: Vec<(u8, PropertyValue<'static>)> = vec![
        (prop_id::PAYLOAD_FORMAT_INDICATOR, PropertyValue::Byte(2)),
        (prop_id::TOPIC_ALIAS, PropertyValue::TwoByte(0)),
        (prop_id::SUBSCRIPTION_IDENTIFIER, PropertyValue::VarInt(0)),
        (
            prop_id::SUBSCRIPTION_IDENTIFIER,
            PropertyValue::VarInt(268_435_456),
        ),
        (
            prop_id::RESPONSE_TOPIC,
            PropertyValue::Utf8(Cow::Borrowed("a/#")),
        ),
    ];
    for (id, value) in cases {
        let p = props(vec![(id, value)]);
        assert_eq!(enc_err(V5, &publish_with(p)), BadPropertyValue(id));
    }
    let connack = |id, value| {
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: 0,
            properties: props(vec![(id, value)]),
        })
    };
    for (id, value) in [
        (prop_id::RECEIVE_MAXIMUM, PropertyValue::TwoByte(0)),
        (prop_id::MAXIMUM_PACKET_SIZE, PropertyValue::FourByte(0)),
        (prop_id::MAXIMUM_QOS, PropertyValue::Byte(2)),
        (prop_id::RETAIN_AVAILABLE, PropertyValue::Byte(2)),
        (
            prop_id::WILDCARD_SUBSCRIPTION_AVAILABLE,
            PropertyValue::Byte(2),
        ),
        (
            prop_id::SUBSCRIPTION_IDENTIFIERS_AVAILABLE,
            PropertyValue::Byte(2),
        ),
        (
            prop_id::SHARED_SUBSCRIPTION_AVAILABLE,
            PropertyValue::Byte(2),
        ),
    ] {
        assert_eq!(enc_err(V5, &connack(id, value)), BadPropertyValue(id));
    }
    // On the wire: receive maximum 0 in CONNACK, payload format 2 in PUBLISH.
    assert_eq!(
        dec_err(V5, b"\x20\x06\x00\x00\x03\x21\x00\x00"),
        BadPropertyValue(0x21)
    );
    assert_eq!(
        dec_err(V5, b"\x30\x06\x00\x01t\x02\x01\x02"),
        BadPropertyValue(0x01)
    );
    // Request problem/response information must be 0 or 1.
    let mut c = connect(V5);
    c.properties = props(vec![(
        prop_id::REQUEST_PROBLEM_INFORMATION,
        PropertyValue::Byte(2),
    )]);
    assert_eq!(enc_err(V5, &Packet::Connect(c)), BadPropertyValue(0x17));
}

#[test]
fn authentication_data_needs_a_method() {
    let a = Packet::Auth(Disconnect {
        reason: 0x18,
        properties: props(vec![(
            prop_id::AUTHENTICATION_DATA,
            PropertyValue::Binary(Cow::Borrowed(b"x")),
        )]),
    });
    assert_eq!(enc_err(V5, &a), PropertyConflict(0x16));
    assert_eq!(
        dec_err(V5, b"\xf0\x06\x18\x04\x16\x00\x01x"),
        PropertyConflict(0x16)
    );
}

#[test]
fn property_length_past_the_end_is_malformed() {
    let e = dec_err(V5, b"\x30\x05\x00\x01t\x09x");
    assert!(matches!(e, Malformed(_)), "{e:?}");
    // A property whose value runs past the property length.
    let e = dec_err(V5, b"\x30\x07\x00\x01t\x02\x02\x00x");
    assert!(matches!(e, Malformed(_)), "{e:?}");
}

#[test]
fn properties_and_v5_fields_do_not_encode_in_3x() {
    for v in [V31, V311] {
        let p = props(vec![(
            prop_id::MESSAGE_EXPIRY_INTERVAL,
            PropertyValue::FourByte(1),
        )]);
        assert_eq!(enc_err(v, &publish_with(p)), WrongVersion);
        assert_eq!(enc_err(v, &Packet::PubAck(ack(1, 0x80))), WrongVersion);
        let d = Packet::Disconnect(Disconnect {
            reason: 4,
            properties: Properties::default(),
        });
        assert_eq!(enc_err(v, &d), WrongVersion);
        let mut o = opts(QoS::AtMostOnce);
        o.retain_as_published = true;
        assert_eq!(enc_err(v, &subscribe("a", o)), WrongVersion);
        let ua = Packet::UnsubAck(SubAck {
            packet_id: 1,
            properties: Properties::default(),
            codes: vec![0],
        });
        assert_eq!(enc_err(v, &ua), WrongVersion);
    }
}

// ---- lists ----

#[test]
fn empty_subscribe_unsubscribe_and_suback_lists() {
    for v in ALL {
        let s = Packet::Subscribe(Subscribe {
            packet_id: 1,
            properties: Properties::default(),
            filters: vec![],
        });
        assert_eq!(enc_err(v, &s), EmptyFilterList);
        let u = Packet::Unsubscribe(Unsubscribe {
            packet_id: 1,
            properties: Properties::default(),
            filters: vec![],
        });
        assert_eq!(enc_err(v, &u), EmptyFilterList);
        let sa = Packet::SubAck(SubAck {
            packet_id: 1,
            properties: Properties::default(),
            codes: vec![],
        });
        assert_eq!(enc_err(v, &sa), EmptyFilterList);
    }
    for v in [V31, V311] {
        assert_eq!(dec_err(v, b"\x82\x02\x00\x01"), EmptyFilterList);
        assert_eq!(dec_err(v, b"\xa2\x02\x00\x01"), EmptyFilterList);
        assert_eq!(dec_err(v, b"\x90\x02\x00\x01"), EmptyFilterList);
    }
    assert_eq!(dec_err(V5, b"\x82\x03\x00\x01\x00"), EmptyFilterList);
    assert_eq!(dec_err(V5, b"\xa2\x03\x00\x01\x00"), EmptyFilterList);
    assert_eq!(dec_err(V5, b"\xb0\x03\x00\x01\x00"), EmptyFilterList);
}

#[test]
fn subscription_option_reserved_bits_and_retain_handling_3() {
    for v in [V31, V311] {
        for o in [0x04u8, 0x08, 0x40, 0x80] {
            let bytes = [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', o];
            assert!(matches!(dec_err(v, &bytes), Malformed(_)), "{o:02x}");
        }
    }
    for o in [0x40u8, 0x80, 0x30] {
        let bytes = [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, b'a', o];
        assert!(matches!(dec_err(V5, &bytes), Malformed(_)), "{o:02x}");
    }
    let mut o = opts(QoS::AtMostOnce);
    o.retain_handling = 3;
    assert!(matches!(enc_err(V5, &subscribe("a", o)), Malformed(_)));
}

// ---- CONNECT and CONNACK ----

#[test]
fn password_without_user_name_is_invalid_before_v5() {
    for v in [V31, V311] {
        let mut c = connect(v);
        c.password = Some(Cow::Borrowed(b"p"));
        assert_eq!(enc_err(v, &Packet::Connect(c)), BadConnectFlags);
    }
    assert_eq!(
        dec_err(
            V311,
            b"\x10\x10\x00\x04MQTT\x04\x42\x00\x00\x00\x01c\x00\x01p"
        ),
        BadConnectFlags
    );
    // The same flags in MQTT 5 are fine.
    let bytes = b"\x10\x11\x00\x04MQTT\x05\x42\x00\x00\x00\x00\x01c\x00\x01p";
    let (p, _) = decode(bytes, V5, NO_LIMIT).unwrap().unwrap();
    let Packet::Connect(c) = p else { panic!() };
    assert_eq!((c.username, c.password.as_deref()), (None, Some(&b"p"[..])));
}

#[test]
fn connect_flag_rules() {
    // Reserved bit 0.
    assert_eq!(
        dec_err(V311, b"\x10\x0d\x00\x04MQTT\x04\x03\x00\x00\x00\x01c"),
        BadConnectFlags
    );
    // Will QoS or will retain without the will flag.
    assert_eq!(
        dec_err(V311, b"\x10\x0d\x00\x04MQTT\x04\x0a\x00\x00\x00\x01c"),
        BadConnectFlags
    );
    assert_eq!(
        dec_err(V311, b"\x10\x0d\x00\x04MQTT\x04\x22\x00\x00\x00\x01c"),
        BadConnectFlags
    );
}

#[test]
fn protocol_name_and_level_must_match() {
    for (name, level) in [
        (&b"MQTT"[..], 3u8),
        (b"MQIsdp", 4),
        (b"MQIsdp", 5),
        (b"MQTT", 6),
        (b"MQTX", 4),
        (b"mqtt", 4),
    ] {
        let mut bytes = vec![0x10, 0];
        bytes.extend_from_slice(&(name.len() as u16).to_be_bytes());
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(&[level, 0x02, 0, 0, 0, 1, b'c']);
        bytes[1] = (bytes.len() - 2) as u8;
        assert_eq!(dec_err(V311, &bytes), WrongVersion, "{name:?} {level}");
    }
}

#[test]
fn connack_rules() {
    for v in ALL {
        let e = dec_err(v, b"\x20\x02\x02\x00");
        assert!(matches!(e, Malformed(_)), "{e:?}");
        // Session present with a refusal.
        let e = dec_err(v, b"\x20\x02\x01\x05");
        assert!(matches!(e, Malformed(_)), "{e:?}");
    }
    let ca = Packet::ConnAck(ConnAck {
        session_present: true,
        code: 0x80,
        properties: Properties::default(),
    });
    assert!(matches!(enc_err(V5, &ca), Malformed(_)));
}

#[test]
fn v5_connack_from_a_3x_only_server_reads_as_its_refusal() {
    // MQTT 5 always writes a property length, but a 3.1.1 server refusing an MQTT 5 CONNECT
    // sends `20 02 00 01`: the caller must see return code 1, as with Paho, to fall back.
    let (p, n) = decode(b"\x20\x02\x00\x01", V5, NO_LIMIT).unwrap().unwrap();
    assert_eq!(n, 4);
    assert_eq!(
        p,
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: 1,
            properties: Properties::default(),
        })
    );
}

// ---- lengths that do not match the contents ----

#[test]
fn remaining_length_too_short_or_too_long() {
    for v in ALL {
        for bytes in [
            &b"\x32\x03\x00\x01t"[..], // packet id missing
            b"\x30\x02\x00\x05",       // topic runs past the end
            b"\x40\x01\x00",           // half a packet id
            b"\xc0\x01\x00",           // PINGREQ with a body
            b"\xd0\x01\x00",           // PINGRESP with a body
            b"\x20\x01\x00",           // CONNACK return code missing
        ] {
            let e = dec_err(v, bytes);
            assert!(matches!(e, Malformed(_)), "{v:?} {bytes:02x?} {e:?}");
        }
    }
    for v in [V31, V311] {
        for bytes in [
            &b"\x40\x03\x00\x01\x00"[..], // 3.x PUBACK with a reason code
            b"\xe0\x01\x00",              // 3.x DISCONNECT with a body
            b"\xb0\x03\x00\x01\x00",      // 3.x UNSUBACK with codes
            b"\x20\x03\x00\x00\x00",      // 3.x CONNACK with properties
        ] {
            let e = dec_err(v, bytes);
            assert!(matches!(e, Malformed(_)), "{v:?} {bytes:02x?} {e:?}");
        }
    }
}

#[test]
fn every_error_has_a_reason_code_and_text() {
    let all = [
        BadRemainingLength,
        PacketTooLarge { size: 2, max: 1 },
        UnknownPacketType(0),
        BadFlags(0x61),
        BadQoS,
        FieldTooLong,
        BadUtf8,
        BadTopicName,
        BadTopicFilter,
        ZeroPacketId,
        BadProperty(1),
        PropertyConflict(1),
        BadPropertyValue(1),
        EmptyFilterList,
        Malformed("x"),
        WrongVersion,
        BadConnectFlags,
    ];
    for e in all {
        assert!(e.reason_code() >= 0x80, "{e:?}");
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn byte_order_mark_is_kept_not_stripped() {
    // U+FEFF at the start of a topic is a character like any other.
    for v in [V31, V311] {
        let (p, _) = decode(b"\x30\x07\x00\x04\xef\xbb\xbftx", v, NO_LIMIT)
            .unwrap()
            .unwrap();
        let Packet::Publish(p) = p else { panic!() };
        assert_eq!(p.topic, "\u{feff}t");
    }
}

#[test]
fn every_connect_string_is_checked_as_utf8() {
    // Will topic "\xff" (will flag, QoS 0).
    assert_eq!(
        dec_err(
            V311,
            b"\x10\x12\x00\x04MQTT\x04\x06\x00\x00\x00\x01c\x00\x01\xff\x00\x00"
        ),
        BadUtf8
    );
    // User name "\xc3" (a lead byte with no continuation).
    assert_eq!(
        dec_err(
            V311,
            b"\x10\x10\x00\x04MQTT\x04\x82\x00\x00\x00\x01c\x00\x01\xc3"
        ),
        BadUtf8
    );
    // The password is binary data: any bytes are fine.
    let bytes = b"\x10\x13\x00\x04MQTT\x04\xc2\x00\x00\x00\x01c\x00\x01u\x00\x01\xff";
    assert!(decode(bytes, V311, NO_LIMIT).unwrap().is_some());
}
