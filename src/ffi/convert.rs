//! Conversions between the C property list (`MQTTProperties`) and ours.

use std::borrow::Cow;
use std::ffi::c_int;

use crate::client::mem::MallocBuf;
use crate::ffi::types::{MQTTLenString, MQTTProperties, MQTTProperty, MQTTProperty_value};
use crate::protocol::{self, Properties, Property, PropertyType, PropertyValue};

/// Read a C property list into ours (copying). `Err` names the bad identifier.
///
/// # Safety
/// `p` is NULL or points to a valid `MQTTProperties` whose `array` holds `count` entries.
pub unsafe fn properties_from_c(p: *const MQTTProperties) -> Result<Properties<'static>, c_int> {
    if p.is_null() {
        return Ok(Properties::default());
    }
    // SAFETY: checked non-NULL; valid per the caller.
    let props = unsafe { &*p };
    if props.count <= 0 || props.array.is_null() {
        return Ok(Properties::default());
    }
    let mut out = Vec::with_capacity(props.count as usize);
    for i in 0..props.count as usize {
        // SAFETY: i < count entries.
        let e = unsafe { &*props.array.add(i) };
        let id = u8::try_from(e.identifier).map_err(|_| e.identifier)?;
        let ty = protocol::property_type(id).ok_or(e.identifier)?;
        // SAFETY: the union member read matches the identifier's type.
        let value = unsafe {
            match ty {
                PropertyType::Byte => PropertyValue::Byte(e.value.byte),
                PropertyType::TwoByteInteger => PropertyValue::TwoByte(e.value.integer2),
                PropertyType::FourByteInteger => PropertyValue::FourByte(e.value.integer4),
                PropertyType::VariableByteInteger => PropertyValue::VarInt(e.value.integer4),
                PropertyType::BinaryData => {
                    PropertyValue::Binary(Cow::Owned(lenstring(&e.value.strings.data)))
                }
                PropertyType::Utf8String => PropertyValue::Utf8(Cow::Owned(
                    String::from_utf8(lenstring(&e.value.strings.data))
                        .map_err(|_| e.identifier)?,
                )),
                PropertyType::Utf8StringPair => PropertyValue::Pair(
                    Cow::Owned(
                        String::from_utf8(lenstring(&e.value.strings.data))
                            .map_err(|_| e.identifier)?,
                    ),
                    Cow::Owned(
                        String::from_utf8(lenstring(&e.value.strings.value))
                            .map_err(|_| e.identifier)?,
                    ),
                ),
            }
        };
        out.push(Property { id, value });
    }
    Ok(Properties(out))
}

/// # Safety
/// `s.data` is NULL or valid for `s.len` bytes.
unsafe fn lenstring(s: &MQTTLenString) -> Vec<u8> {
    if s.data.is_null() || s.len <= 0 {
        return Vec::new();
    }
    // SAFETY: valid per the caller.
    unsafe { std::slice::from_raw_parts(s.data as *const u8, s.len as usize) }.to_vec()
}

fn c_lenstring(b: &[u8]) -> MQTTLenString {
    // NUL-terminate for callers that treat it as a C string.
    let mut v = Vec::with_capacity(b.len() + 1);
    v.extend_from_slice(b);
    v.push(0);
    let (ptr, _) = MallocBuf::copy_from(&v).into_raw();
    MQTTLenString {
        len: b.len() as c_int,
        data: ptr as *mut _,
    }
}

/// Build a C property list (all malloc'd; free with `MQTTProperties_free`).
pub fn properties_to_c(p: &Properties<'_>) -> MQTTProperties {
    if p.0.is_empty() {
        return MQTTProperties::INITIALIZER;
    }
    let n = p.0.len();
    let size = n * std::mem::size_of::<MQTTProperty>();
    // SAFETY: plain allocation of n entries, each written below before use.
    let array =
        unsafe { libc::calloc(n, std::mem::size_of::<MQTTProperty>()) } as *mut MQTTProperty;
    if array.is_null() {
        return MQTTProperties::INITIALIZER;
    }
    let _ = size;
    let mut length: usize = 0;
    for (i, prop) in p.0.iter().enumerate() {
        let empty = MQTTLenString {
            len: 0,
            data: std::ptr::null_mut(),
        };
        let value = match &prop.value {
            PropertyValue::Byte(b) => {
                length += 1;
                MQTTProperty_value { byte: *b }
            }
            PropertyValue::TwoByte(v) => {
                length += 2;
                MQTTProperty_value { integer2: *v }
            }
            PropertyValue::FourByte(v) => {
                length += 4;
                MQTTProperty_value { integer4: *v }
            }
            PropertyValue::VarInt(v) => {
                length += varint_len(*v);
                MQTTProperty_value { integer4: *v }
            }
            PropertyValue::Binary(b) => {
                length += 2 + b.len();
                MQTTProperty_value {
                    strings: crate::ffi::types::MQTTProperty_value_strings {
                        data: c_lenstring(b),
                        value: empty,
                    },
                }
            }
            PropertyValue::Utf8(s) => {
                length += 2 + s.len();
                MQTTProperty_value {
                    strings: crate::ffi::types::MQTTProperty_value_strings {
                        data: c_lenstring(s.as_bytes()),
                        value: empty,
                    },
                }
            }
            PropertyValue::Pair(k, v) => {
                length += 4 + k.len() + v.len();
                MQTTProperty_value {
                    strings: crate::ffi::types::MQTTProperty_value_strings {
                        data: c_lenstring(k.as_bytes()),
                        value: c_lenstring(v.as_bytes()),
                    },
                }
            }
        };
        length += 1; // identifier
                     // SAFETY: i < n, inside the allocation.
        unsafe {
            array.add(i).write(MQTTProperty {
                identifier: prop.id as c_int,
                value,
            })
        };
    }
    MQTTProperties {
        count: n as c_int,
        max_count: n as c_int,
        length: length as c_int,
        array,
    }
}

fn varint_len(v: u32) -> usize {
    match v {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}
