//! Field rules shared by the encoder and the decoder: strings, topic names, topic filters.

use super::types::{CodecError, SubscriptionOptions};

/// Longest string or binary field: its length prefix is a u16.
pub(crate) const MAX_FIELD: usize = 65_535;

/// The string rules of MQTT on an already well-formed `str`: length and no U+0000.
/// Control characters and non-characters are allowed: the specification only says they
/// SHOULD NOT be used, and a receiver that drops them would lose messages Paho delivers.
#[inline]
pub(crate) fn check_str(s: &str) -> Result<(), CodecError> {
    if s.len() > MAX_FIELD {
        return Err(CodecError::FieldTooLong);
    }
    if s.as_bytes().contains(&0) {
        return Err(CodecError::BadUtf8);
    }
    Ok(())
}

/// Bytes to `&str` under the MQTT string rules. `from_utf8` already refuses overlong forms
/// and encoded surrogates (U+D800..U+DFFF), which MQTT also forbids.
pub(crate) fn mqtt_str(bytes: &[u8]) -> Result<&str, CodecError> {
    if bytes.len() > MAX_FIELD {
        return Err(CodecError::FieldTooLong);
    }
    let s = std::str::from_utf8(bytes).map_err(|_| CodecError::BadUtf8)?;
    if bytes.contains(&0) {
        return Err(CodecError::BadUtf8);
    }
    Ok(s)
}

/// Whether `b` contains any of the bytes `x`, `y`, `z`. Topics are checked for NUL, `+` and
/// `#` on every PUBLISH, so this looks at eight bytes per step instead of one.
#[inline]
pub(crate) fn contains_any3(b: &[u8], x: u8, y: u8, z: u8) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Nonzero exactly when some byte of `v` is zero.
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let (chunks, tail) = b.as_chunks::<8>();
    for c in chunks {
        let v = u64::from_ne_bytes(*c);
        if zero(v ^ (LO * u64::from(x)))
            | zero(v ^ (LO * u64::from(y)))
            | zero(v ^ (LO * u64::from(z)))
            != 0
        {
            return true;
        }
    }
    tail.iter().any(|&c| c == x || c == y || c == z)
}

/// The topic name rules beyond UTF-8 well-formedness: no NUL, no wildcard characters.
/// (Emptiness is the caller's business: MQTT 5 allows it with a topic alias.)
#[inline]
pub(crate) fn topic_chars(b: &[u8]) -> Result<(), CodecError> {
    if contains_any3(b, 0, b'+', b'#') {
        return Err(if b.contains(&0) {
            CodecError::BadUtf8
        } else {
            CodecError::BadTopicName
        });
    }
    Ok(())
}

/// A topic name for PUBLISH or a will: non-empty, string rules, no wildcard characters.
pub(crate) fn topic_name(topic: &str) -> Result<(), CodecError> {
    if topic.len() > MAX_FIELD {
        return Err(CodecError::FieldTooLong);
    }
    topic_chars(topic.as_bytes())?;
    if topic.is_empty() {
        return Err(CodecError::BadTopicName);
    }
    Ok(())
}

/// Topic name bytes from the wire to `&str`: UTF-8 and the character rules; may be empty.
#[inline]
pub(crate) fn topic_name_wire(b: &[u8]) -> Result<&str, CodecError> {
    let s = std::str::from_utf8(b).map_err(|_| CodecError::BadUtf8)?;
    topic_chars(b)?;
    Ok(s)
}

/// A topic filter: non-empty, string rules, `+` fills a whole level, `#` fills the last one.
pub(crate) fn topic_filter(filter: &str) -> Result<(), CodecError> {
    check_str(filter)?;
    if filter.is_empty() {
        return Err(CodecError::BadTopicFilter);
    }
    let mut levels = filter.split('/').peekable();
    while let Some(level) = levels.next() {
        let has_plus = level.contains('+');
        let has_hash = level.contains('#');
        if has_plus && level != "+" {
            return Err(CodecError::BadTopicFilter);
        }
        if has_hash && (level != "#" || levels.peek().is_some()) {
            return Err(CodecError::BadTopicFilter);
        }
    }
    Ok(())
}

/// MQTT 5 rules on one subscription beyond the plain filter rules: the shape of a shared
/// subscription (`$share/{name}/{filter}`), No Local forbidden on it, Retain Handling 0..=2.
pub(crate) fn v5_subscription(filter: &str, opts: &SubscriptionOptions) -> Result<(), CodecError> {
    if opts.retain_handling > 2 {
        return Err(CodecError::Malformed(
            "retain handling 3 in subscription options",
        ));
    }
    if let Some(rest) = filter.strip_prefix("$share/") {
        let (name, inner) = rest.split_once('/').ok_or(CodecError::BadTopicFilter)?;
        if name.is_empty() || name.contains(['+', '#']) || inner.is_empty() {
            return Err(CodecError::BadTopicFilter);
        }
        if opts.no_local {
            // [MQTT-3.8.3-4]: No Local on a shared subscription is a protocol error.
            return Err(CodecError::BadTopicFilter);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_wildcard_placement() {
        for ok in [
            "a",
            "/",
            "+",
            "#",
            "a/+",
            "+/+",
            "a/#",
            "+/#",
            "/#",
            "a//b",
            "$SYS/#",
            "sport/+/player1",
        ] {
            assert_eq!(topic_filter(ok), Ok(()), "{ok}");
        }
        for bad in [
            "", "a+", "+a", "a/b#", "#/a", "a/#/b", "##", "a/++", "sport+",
        ] {
            assert_eq!(topic_filter(bad), Err(CodecError::BadTopicFilter), "{bad}");
        }
    }

    #[test]
    fn contains_any3_at_every_position_and_length() {
        for len in 0..40 {
            let clean = vec![b'a'; len];
            assert!(!contains_any3(&clean, 0, b'+', b'#'));
            for pos in 0..len {
                for special in [0u8, b'+', b'#'] {
                    let mut v = clean.clone();
                    v[pos] = special;
                    assert!(contains_any3(&v, 0, b'+', b'#'), "{len} {pos} {special}");
                }
                // Neighbours of the specials in value must not match.
                let mut v = clean.clone();
                v[pos] = b'*';
                v[len - 1 - pos] = b'$';
                assert!(!contains_any3(&v, 0, b'+', b'#'));
                v[pos] = 0x80 | b'+';
                assert!(!contains_any3(&v, 0, b'+', b'#'));
            }
        }
    }

    #[test]
    fn topic_name_rejects_wildcards_and_empty() {
        assert_eq!(topic_name("a/b c/ü"), Ok(()));
        assert_eq!(topic_name("/"), Ok(()));
        for bad in ["", "a/+", "#", "a#b", "+"] {
            assert_eq!(topic_name(bad), Err(CodecError::BadTopicName), "{bad}");
        }
        assert_eq!(topic_name("a\0b"), Err(CodecError::BadUtf8));
    }

    #[test]
    fn strings_allow_control_and_noncharacters_but_not_nul() {
        assert_eq!(
            mqtt_str("\u{1}\u{1f}\u{7f}\u{9f}\u{fffe}\u{ffff}".as_bytes()).map(|_| ()),
            Ok(())
        );
        assert_eq!(mqtt_str(b"a\0"), Err(CodecError::BadUtf8));
        // Encoded surrogate U+D800, an overlong '/', a lone continuation byte.
        for bad in [&b"\xed\xa0\x80"[..], b"\xc0\xaf", b"\x80", b"\xff"] {
            assert_eq!(mqtt_str(bad), Err(CodecError::BadUtf8));
        }
        assert_eq!(mqtt_str(&vec![b'a'; 65_536]), Err(CodecError::FieldTooLong));
        assert!(mqtt_str(&vec![b'a'; 65_535]).is_ok());
    }

    #[test]
    fn shared_subscriptions() {
        let opts = |no_local| SubscriptionOptions {
            qos: crate::protocol::QoS::AtMostOnce,
            no_local,
            retain_as_published: false,
            retain_handling: 0,
        };
        assert_eq!(v5_subscription("$share/g/a/+", &opts(false)), Ok(()));
        assert_eq!(
            v5_subscription("$share/g/a", &opts(true)),
            Err(CodecError::BadTopicFilter)
        );
        for bad in [
            "$share/g",
            "$share//a",
            "$share/g+/a",
            "$share/#/a",
            "$share/g/",
        ] {
            assert_eq!(
                v5_subscription(bad, &opts(false)),
                Err(CodecError::BadTopicFilter),
                "{bad}"
            );
        }
        assert_eq!(v5_subscription("$sharex/a", &opts(true)), Ok(()));
    }
}
