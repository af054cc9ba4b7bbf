//! Bodies of the decoder fuzz targets, free of any fuzzer so that a plain test can run them
//! too. A panic here is a finding: either the codec panicked on hostile input, or one of the
//! checks below found the encoder and the decoder disagreeing.

use paho_mqtt_c_rs::protocol::{decode, encode, CodecError, ProtocolVersion};

/// The small size limit every input is also decoded under.
const SMALL_LIMIT: usize = 64;

/// Longest packet whose every prefix is also decoded (that check is quadratic).
const PREFIX_CHECK_MAX: usize = 512;

/// Decode `data` as a stream of packets of protocol `version`, as a receive buffer would be
/// consumed, checking each packet that decodes.
pub fn decode_stream(data: &[u8], version: ProtocolVersion) {
    let mut rest = data;
    while !rest.is_empty() {
        check_limit(rest, version);
        match decode(rest, version, usize::MAX) {
            Ok(Some((packet, used))) => {
                assert!(
                    used > 0 && used <= rest.len(),
                    "used {used} of {}",
                    rest.len()
                );
                check_packet(&packet, version, &rest[..used]);
                rest = &rest[used..];
            }
            Ok(None) | Err(_) => break,
        }
    }
}

/// A decoded packet re-encodes, decodes back equal, and no prefix of its bytes is a packet.
fn check_packet(
    packet: &paho_mqtt_c_rs::protocol::Packet<'_>,
    version: ProtocolVersion,
    bytes: &[u8],
) {
    let mut out = Vec::new();
    if let Err(e) = encode(packet, version, &mut out) {
        panic!("decoded {packet:?} from {bytes:02x?} but it does not encode: {e}");
    }
    match decode(&out, version, usize::MAX) {
        Ok(Some((again, used))) => {
            assert_eq!(used, out.len());
            assert_eq!(&again, packet, "re-encoded as {out:02x?}");
        }
        other => panic!("{packet:?} encoded to {out:02x?}, which decodes to {other:?}"),
    }
    if bytes.len() <= PREFIX_CHECK_MAX {
        for k in 0..bytes.len() {
            assert_eq!(
                decode(&bytes[..k], version, usize::MAX),
                Ok(None),
                "prefix {k} of {bytes:02x?}"
            );
        }
    }
}

/// Under a small size limit a packet either fits and decodes as without the limit, or is
/// refused as too large (and then really is), or fails as it would without the limit.
fn check_limit(data: &[u8], version: ProtocolVersion) {
    let limited = decode(data, version, SMALL_LIMIT);
    let unlimited = decode(data, version, usize::MAX);
    match limited {
        Err(CodecError::PacketTooLarge { size, max }) => {
            assert_eq!(max, SMALL_LIMIT);
            assert!(size > SMALL_LIMIT);
        }
        Ok(Some((_, used))) => {
            assert!(used <= SMALL_LIMIT);
            assert_eq!(limited, unlimited);
        }
        other => assert_eq!(other, unlimited),
    }
}
