//! Primitive wire forms: big-endian integers, variable byte integers, length-prefixed
//! strings and binary data, for writing into a `Vec<u8>` and reading from a borrowed slice.

use super::types::CodecError;
use super::validate::{check_str, mqtt_str, MAX_FIELD};

/// Largest value a variable byte integer (and so the remaining length) can hold.
pub(crate) const MAX_VARINT: u32 = 268_435_455;

/// How many bytes the variable byte integer form of `v` takes (`v` <= [`MAX_VARINT`]).
#[inline]
pub(crate) fn varint_len(v: u32) -> usize {
    match v {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// The shortest variable byte integer form of `v` in a fixed array, and how much of it is used.
#[inline]
pub(crate) fn varint_bytes(v: u32) -> Result<([u8; 4], usize), CodecError> {
    if v > MAX_VARINT {
        return Err(CodecError::BadRemainingLength);
    }
    let mut buf = [0u8; 4];
    let mut v = v;
    let mut n = 0;
    loop {
        let mut b = (v % 128) as u8;
        v /= 128;
        if v > 0 {
            b |= 0x80;
        }
        buf[n] = b;
        n += 1;
        if v == 0 {
            return Ok((buf, n));
        }
    }
}

/// Append `v` as a variable byte integer.
#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, v: u32) -> Result<(), CodecError> {
    let (b, n) = varint_bytes(v)?;
    out.extend_from_slice(&b[..n]);
    Ok(())
}

#[inline]
pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Append a UTF-8 string field after checking the MQTT string rules.
#[inline]
pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) -> Result<(), CodecError> {
    check_str(s)?;
    put_u16(out, s.len() as u16);
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// Append a binary data field; over 65,535 bytes is an error, never a truncation.
#[inline]
pub(crate) fn put_bin(out: &mut Vec<u8>, b: &[u8]) -> Result<(), CodecError> {
    if b.len() > MAX_FIELD {
        return Err(CodecError::FieldTooLong);
    }
    put_u16(out, b.len() as u16);
    out.extend_from_slice(b);
    Ok(())
}

/// What a truncated field inside a complete packet means: the remaining length lied.
const SHORT: CodecError = CodecError::Malformed("field runs past the end of the packet");

/// A cursor over the body of one complete packet. Everything it hands out borrows from
/// the input, so decoding copies nothing.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline]
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// Bytes not read yet.
    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Everything not read yet, consuming it.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.buf)
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.buf.len() {
            return Err(SHORT);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, CodecError> {
        let (&b, tail) = self.buf.split_first().ok_or(SHORT)?;
        self.buf = tail;
        Ok(b)
    }

    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, CodecError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, CodecError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A variable byte integer inside the body (property lengths, subscription identifiers).
    /// A fifth byte is malformed; a non-minimal form is accepted, as its value is unambiguous.
    pub(crate) fn varint(&mut self) -> Result<u32, CodecError> {
        let mut value = 0u32;
        for i in 0..4 {
            let b = self.u8()?;
            value |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(CodecError::Malformed(
            "variable byte integer longer than four bytes",
        ))
    }

    #[inline]
    pub(crate) fn bin(&mut self) -> Result<&'a [u8], CodecError> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    #[inline]
    pub(crate) fn str(&mut self) -> Result<&'a str, CodecError> {
        let b = self.bin()?;
        mqtt_str(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_boundaries() {
        for (v, bytes) in [
            (0u32, &[0x00][..]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (16_383, &[0xff, 0x7f]),
            (16_384, &[0x80, 0x80, 0x01]),
            (2_097_151, &[0xff, 0xff, 0x7f]),
            (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
            (268_435_455, &[0xff, 0xff, 0xff, 0x7f]),
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, v).unwrap();
            assert_eq!(out, bytes, "{v}");
            assert_eq!(varint_len(v), bytes.len());
            assert_eq!(Reader::new(bytes).varint(), Ok(v));
        }
        assert_eq!(
            varint_bytes(268_435_456),
            Err(CodecError::BadRemainingLength)
        );
        assert!(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x01])
            .varint()
            .is_err());
        assert!(Reader::new(&[0x80]).varint().is_err());
    }
}
