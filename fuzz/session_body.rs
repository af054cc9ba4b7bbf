//! Body of the `session` fuzz target, free of any fuzzer so that `tests/session_fuzz_corpus.rs`
//! runs it under plain `cargo test` too. The input is a little program: each opcode byte is
//! a user command (including packet id reservations), a step of simulated time, a write of
//! the output, or a chunk of bytes from the server, which go through the decoder into the
//! session as the engine would feed them.
//! A panic is a finding; so is output that does not decode, or an id reused while in flight.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::{Duration, Instant};

use paho_mqtt_c_rs::protocol::{
    decode, Connect, Properties, ProtocolVersion, Publish, QoS, SubscriptionOptions,
};
use paho_mqtt_c_rs::session::{ConnState, Session, SessionConfig};

/// Run the program in `data` against a fresh session.
pub fn run_session(data: &[u8]) {
    let Some((&head, mut prog)) = data.split_first() else {
        return;
    };
    let version = match head % 3 {
        0 => ProtocolVersion::V31,
        1 => ProtocolVersion::V311,
        _ => ProtocolVersion::V5,
    };
    let mut s = Session::new(SessionConfig {
        max_incoming_packet_size: 1 << 16,
        max_inflight: usize::from(head >> 6),
        send_window: usize::from(head >> 7),
        receive_maximum: u16::from((head >> 2) & 3) + 1,
        topic_alias_maximum: u16::from((head >> 4) & 3),
        // Both ways of meeting a server that lost the session (sync resends, async drops).
        resend_without_session: head & 2 != 0,
    });
    let t0 = Instant::now();
    let mut now = t0;
    let mut inbox: Vec<u8> = Vec::new();
    let mut reserved: Vec<u16> = Vec::new();
    let connect = |s: &mut Session, clean: bool, now: Instant| {
        let c = Connect {
            version,
            client_id: Cow::Borrowed("fuzz"),
            clean_start: clean,
            keep_alive: 2,
            username: None,
            password: None,
            will: None,
            properties: Properties::default(),
        };
        let _ = s.connect(c, Duration::from_secs(2), now);
    };
    connect(&mut s, false, now);
    let next = |prog: &mut &[u8]| -> u8 {
        let Some((&b, rest)) = prog.split_first() else {
            return 0;
        };
        *prog = rest;
        b
    };
    while !prog.is_empty() {
        let op = next(&mut prog);
        match op % 12 {
            0 => {
                let arg = next(&mut prog);
                let m = Publish {
                    dup: false,
                    qos: QoS::from_u8(arg % 3).unwrap_or(QoS::AtMostOnce),
                    retain: arg & 0x80 != 0,
                    topic: Cow::Borrowed(["a", "b/c", "+", ""][usize::from(arg >> 2) % 4]),
                    packet_id: 0,
                    properties: Properties::default(),
                    payload: Cow::Owned(vec![0x55; usize::from(arg >> 4)]),
                };
                let before: HashSet<u16> = s.pending_publish_ids().into_iter().collect();
                if let Ok(id) = s.publish(m, now) {
                    assert!(id == 0 || !before.contains(&id), "id {id} reused");
                    assert!(!reserved.contains(&id), "reserved id {id} handed out");
                }
            }
            1 => {
                let opts = SubscriptionOptions {
                    qos: QoS::AtLeastOnce,
                    no_local: false,
                    retain_as_published: false,
                    retain_handling: 0,
                };
                let _ = s.subscribe(vec![("f/#".into(), opts)], Properties::default(), now);
            }
            2 => {
                let _ = s.unsubscribe(vec!["f/#".into()], Properties::default(), now);
            }
            3 => {
                let clean = next(&mut prog) & 1 != 0;
                s.connection_lost(now);
                inbox.clear();
                connect(&mut s, clean, now);
            }
            4 => {
                now += Duration::from_millis(u64::from(next(&mut prog)) * 50);
                let _ = s.handle_timeout(now);
                if let Some(t) = s.poll_timeout() {
                    assert!(t >= t0);
                }
            }
            5 => {
                // All of it: a large payload comes as a piece of its own.
                let mut out = Vec::new();
                loop {
                    let piece = s.pending_output();
                    if piece.is_empty() {
                        break;
                    }
                    let n = piece.len();
                    out.extend_from_slice(piece);
                    s.consume_output(n, now);
                }
                let mut rest = &out[..];
                while !rest.is_empty() {
                    match decode(rest, version, usize::MAX) {
                        Ok(Some((_, n))) => rest = &rest[n..],
                        other => panic!("session output {out:02x?} does not decode: {other:?}"),
                    }
                }
            }
            6 => {
                let snap = s.snapshot();
                let mut other = Session::new(SessionConfig::default());
                other.restore(&snap).expect("own snapshot restores");
                assert_eq!(other.snapshot(), snap);
                if s.state() == ConnState::Disconnected {
                    s.restore(&snap).expect("own snapshot restores");
                }
            }
            7 => s.disconnect(next(&mut prog), Properties::default(), now),
            10 => {
                if let Ok(id) = s.reserve_id() {
                    assert!(
                        !s.pending_publish_ids().contains(&id),
                        "reserved an id in flight"
                    );
                    reserved.push(id);
                }
            }
            11 => {
                let arg = next(&mut prog);
                let pick = usize::from(arg >> 1);
                if arg & 1 == 0 && !reserved.is_empty() {
                    let id = reserved.remove(pick % reserved.len());
                    s.release_reserved(id);
                } else {
                    let id = match reserved.get(pick % reserved.len().max(1)) {
                        Some(&id) if arg & 2 == 0 => id,
                        _ => u16::from(arg),
                    };
                    let m = Publish {
                        dup: false,
                        qos: QoS::ExactlyOnce,
                        retain: false,
                        topic: Cow::Borrowed("r"),
                        packet_id: 0,
                        properties: Properties::default(),
                        payload: Cow::Borrowed(b"r"),
                    };
                    if s.publish_reserved(m, id, now).is_ok() {
                        assert!(reserved.contains(&id), "published under unreserved id {id}");
                        reserved.retain(|r| *r != id);
                    }
                }
            }
            _ => {
                // Server bytes: a length, then that many bytes.
                let n = usize::from(next(&mut prog)).min(prog.len());
                inbox.extend_from_slice(&prog[..n]);
                prog = &prog[n..];
                loop {
                    match decode(&inbox, s.version(), 1 << 16) {
                        Ok(Some((p, used))) => {
                            let failed = s.handle_packet(p, now).is_err();
                            inbox.drain(..used);
                            if failed {
                                inbox.clear();
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            let _ = s.handle_decode_error(&e, now);
                            inbox.clear();
                            break;
                        }
                    }
                }
            }
        }
        while s.poll_event().is_some() {}
        let ids = s.pending_publish_ids();
        let unique: HashSet<u16> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "an id twice in flight");
    }
}
