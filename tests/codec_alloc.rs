//! Decoding a PUBLISH copies nothing: topic and payload borrow from the receive buffer and an
//! empty property list is an empty `Vec`, so the decoder makes no heap allocation at all.
//! Counted with a global allocator that counts per thread (the test harness allocates on
//! other threads while this runs).

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::cell::Cell;

use paho_mqtt_c_rs::protocol::*;

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCS.with(Cell::get);
    let r = f();
    (r, ALLOCS.with(Cell::get) - before)
}

fn encoded(p: &Packet<'_>, v: ProtocolVersion) -> Vec<u8> {
    let mut out = Vec::new();
    encode(p, v, &mut out).unwrap();
    out
}

fn publish(props: Properties<'static>) -> Packet<'static> {
    Packet::Publish(Publish {
        dup: false,
        qos: QoS::AtLeastOnce,
        retain: false,
        topic: Cow::Borrowed("sensors/room1/temperature"),
        packet_id: 7,
        properties: props,
        payload: Cow::Owned(vec![0x5a; 64]),
    })
}

#[test]
fn decoding_a_publish_without_properties_allocates_nothing() {
    for v in [
        ProtocolVersion::V31,
        ProtocolVersion::V311,
        ProtocolVersion::V5,
    ] {
        let bytes = encoded(&publish(Properties::default()), v);
        let (decoded, n) = allocations(|| decode(&bytes, v, usize::MAX));
        assert_eq!(n, 0, "{v:?}: {n} allocations");
        let (p, _) = decoded.unwrap().unwrap();
        let Packet::Publish(p) = p else {
            panic!("not a PUBLISH")
        };
        assert!(matches!(p.topic, Cow::Borrowed(_)));
        assert!(matches!(p.payload, Cow::Borrowed(_)));
    }
}

#[test]
fn decoding_acks_and_pings_allocates_nothing() {
    for bytes in [
        &b"\x40\x02\x00\x01"[..],
        b"\x62\x03\x00\x01\x92",
        b"\xd0\x00",
        b"\xe0\x01\x04",
    ] {
        let (r, n) = allocations(|| decode(bytes, ProtocolVersion::V5, usize::MAX));
        assert!(r.unwrap().is_some());
        assert_eq!(n, 0, "{bytes:02x?}");
    }
}

#[test]
fn decoding_a_publish_with_properties_allocates_only_the_list() {
    let props = Properties(vec![
        Property {
            id: prop_id::USER_PROPERTY,
            value: PropertyValue::Pair(Cow::Borrowed("a"), Cow::Borrowed("1")),
        },
        Property {
            id: prop_id::SUBSCRIPTION_IDENTIFIER,
            value: PropertyValue::VarInt(9),
        },
    ]);
    let bytes = encoded(&publish(props), ProtocolVersion::V5);
    let (r, n) = allocations(|| decode(&bytes, ProtocolVersion::V5, usize::MAX));
    assert!(r.unwrap().is_some());
    // The Vec of properties grows from empty: at most one allocation per doubling.
    assert!(n <= 2, "{n} allocations");
    // ...and at least one, which shows the counter is live (so the zeros above mean something).
    assert!(n >= 1);
}

#[test]
fn encoding_into_a_buffer_with_room_allocates_nothing() {
    let p = publish(Properties::default());
    let mut out = Vec::with_capacity(256);
    let (r, n) = allocations(|| encode(&p, ProtocolVersion::V311, &mut out));
    r.unwrap();
    assert_eq!(n, 0);
}
