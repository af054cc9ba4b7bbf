//! Encode and decode cost of the packets the issue names, in ns per packet:
//! a 64-byte QoS 1 PUBLISH in MQTT 3.1.1, and an MQTT 5 PUBLISH with three user properties
//! and a subscription identifier. `cargo bench --bench codec`.

use std::borrow::Cow;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use paho_mqtt_c_rs::protocol::*;

fn publish_v311() -> Packet<'static> {
    Packet::Publish(Publish {
        dup: false,
        qos: QoS::AtLeastOnce,
        retain: false,
        topic: Cow::Borrowed("sensors/building-7/room-12/temperature"),
        packet_id: 4242,
        properties: Properties::default(),
        payload: Cow::Owned(vec![0x5a; 64]),
    })
}

fn publish_v5() -> Packet<'static> {
    let user = |k: &'static str, v: &'static str| Property {
        id: prop_id::USER_PROPERTY,
        value: PropertyValue::Pair(Cow::Borrowed(k), Cow::Borrowed(v)),
    };
    Packet::Publish(Publish {
        dup: false,
        qos: QoS::AtLeastOnce,
        retain: false,
        topic: Cow::Borrowed("sensors/building-7/room-12/temperature"),
        packet_id: 4242,
        properties: Properties(vec![
            user("unit", "celsius"),
            user("source", "probe-3"),
            user("trace-id", "4bf92f3577b34da6"),
            Property {
                id: prop_id::SUBSCRIPTION_IDENTIFIER,
                value: PropertyValue::VarInt(1234),
            },
        ]),
        payload: Cow::Owned(vec![0x5a; 64]),
    })
}

fn bench_packet(c: &mut Criterion, name: &str, packet: Packet<'static>, v: ProtocolVersion) {
    let mut bytes = Vec::new();
    encode(&packet, v, &mut bytes).unwrap();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    let mut out = Vec::with_capacity(256);
    group.bench_function("encode", |b| {
        b.iter(|| {
            out.clear();
            encode(black_box(&packet), v, &mut out).unwrap();
            black_box(out.len())
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| {
            // Looked at in place: moving the result out would add the copy of a whole
            // `Packet` to the figure, which a caller matching on it by reference does not pay.
            let r = decode(black_box(&bytes), v, usize::MAX);
            assert!(matches!(black_box(&r), Ok(Some(_))));
        })
    });
    group.finish();
}

fn codec(c: &mut Criterion) {
    bench_packet(
        c,
        "publish_v311_qos1_64B",
        publish_v311(),
        ProtocolVersion::V311,
    );
    bench_packet(
        c,
        "publish_v5_3user_subid_64B",
        publish_v5(),
        ProtocolVersion::V5,
    );
}

criterion_group!(benches, codec);
criterion_main!(benches);
