//! Pieces both C APIs share: message and property memory handed to C.

use std::ffi::{c_int, c_void};
use std::ptr;

use crate::client::mem::MallocBuf;
use crate::client::Message;
use crate::ffi::convert::properties_to_c;
use crate::ffi::types::*;
use crate::protocol::{self, Properties};

/// A malloc'd copy of `p` for an MQTTResponse (NULL when empty).
pub fn boxed_properties(p: &Properties<'_>) -> *mut MQTTProperties {
    if p.0.is_empty() {
        return ptr::null_mut();
    }
    let c = properties_to_c(p);
    // SAFETY: malloc of one MQTTProperties, checked for NULL.
    let b = unsafe { libc::malloc(std::mem::size_of::<MQTTProperties>()) } as *mut MQTTProperties;
    if b.is_null() {
        return b;
    }
    // SAFETY: fresh allocation of the right size.
    unsafe { b.write(c) };
    b
}

// ------------------------------------------------------------------------------------------
// Message memory
// ------------------------------------------------------------------------------------------

pub fn message_to_c(m: &Message) -> *mut MQTTClient_message {
    let payload = MallocBuf::copy_from(m.payload.as_slice());
    let (pp, plen) = payload.into_raw();
    let cm = MQTTClient_message {
        struct_id: MESSAGE_ID,
        struct_version: MESSAGE_VERSION,
        payloadlen: plen as c_int,
        payload: pp as *mut c_void,
        qos: m.qos as c_int,
        retained: m.retained as c_int,
        dup: m.dup as c_int,
        msgid: m.msgid as c_int,
        properties: properties_to_c(&m.properties),
    };
    // SAFETY: malloc of one message, checked.
    let p = unsafe { libc::malloc(std::mem::size_of::<MQTTClient_message>()) }
        as *mut MQTTClient_message;
    if p.is_null() {
        // SAFETY: pp came from malloc.
        unsafe { libc::free(pp as *mut c_void) };
        return p;
    }
    // SAFETY: fresh allocation.
    unsafe { p.write(cm) };
    p
}

/// # Safety
/// `p` points to a valid property list whose memory is malloc'd.
pub unsafe fn free_c_properties(p: *mut MQTTProperties) {
    // SAFETY: per the caller.
    let props = unsafe { &mut *p };
    if !props.array.is_null() {
        for i in 0..props.count.max(0) as usize {
            // SAFETY: i < count.
            let e = unsafe { &*props.array.add(i) };
            let ty = u8::try_from(e.identifier)
                .ok()
                .and_then(protocol::property_type);
            if matches!(
                ty,
                Some(protocol::PropertyType::BinaryData)
                    | Some(protocol::PropertyType::Utf8String)
                    | Some(protocol::PropertyType::Utf8StringPair)
            ) {
                // SAFETY: string members are live for these types and malloc'd.
                unsafe {
                    libc::free(e.value.strings.data.data as *mut c_void);
                    if ty == Some(protocol::PropertyType::Utf8StringPair) {
                        libc::free(e.value.strings.value.data as *mut c_void);
                    }
                }
            }
        }
        // SAFETY: malloc'd array.
        unsafe { libc::free(props.array as *mut c_void) };
    }
    *props = MQTTProperties::INITIALIZER;
}

/// # Safety
/// `m` came from `message_to_c`.
pub unsafe fn free_c_message(m: *mut MQTTClient_message) {
    // SAFETY: per the caller.
    unsafe {
        libc::free((*m).payload);
        if (*m).struct_version >= 1 {
            free_c_properties(ptr::addr_of_mut!((*m).properties));
        }
        libc::free(m as *mut c_void);
    }
}
