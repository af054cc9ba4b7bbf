//! MQTT 5 property lists in their C form (`MQTTProperties`), the C functions that work on
//! them, and conversion to and from the codec's [`Properties`].
//!
//! Behaviour follows Debian's Paho 1.3.12, checked with `c-tests/abi/test_properties.sh`:
//! - `MQTTProperties_add` copies string and binary data, accepts repeats of any property
//!   (it does not police "at most once"), returns `MQTT_INVALID_PROPERTY_ID` for an unknown
//!   identifier, grows the array 10 entries at a time and keeps `length` equal to the
//!   encoded size of the list.
//! - The numeric getters return -9999999 when no entry matches and -999999 when the entry
//!   is not an integer; a negative index to `getNumericValueAt` means the first entry while
//!   `getPropertyAt` finds nothing for it.
//!
//! Where Paho would crash (NULL list or property, a list whose array is NULL but whose
//! count is not 0) we return the "nothing there" answer instead. Every buffer handed to C
//! comes from `malloc`, so `free()` works on it.

#![allow(non_snake_case)]

use std::borrow::Cow;
use std::ffi::CStr;
use std::mem::size_of;
use std::os::raw::{c_char, c_int, c_uint, c_void};
use std::ptr;

use super::panic::guard;
use super::types::*;
use crate::protocol::{Properties, Property, PropertyValue};

/// Paho's return code for a failed allocation.
pub const PAHO_MEMORY_ERROR: c_int = -99;
/// What the numeric getters return when no entry matches.
pub const NUMERIC_NOT_FOUND: c_int = -9_999_999;
/// What the numeric getters return when the matching entry holds a string or binary value.
pub const NUMERIC_NOT_A_NUMBER: c_int = -999_999;
/// The array grows by this many entries at a time, as in Paho.
const GROWTH: c_int = 10;

/// The value type (`MQTTPROPERTY_TYPE_*`) of a property identifier, or -1 if unknown.
pub fn property_type(id: MQTTPropertyCodes) -> c_int {
    match id {
        MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR
        | MQTTPROPERTY_CODE_REQUEST_PROBLEM_INFORMATION
        | MQTTPROPERTY_CODE_REQUEST_RESPONSE_INFORMATION
        | MQTTPROPERTY_CODE_MAXIMUM_QOS
        | MQTTPROPERTY_CODE_RETAIN_AVAILABLE
        | MQTTPROPERTY_CODE_WILDCARD_SUBSCRIPTION_AVAILABLE
        | MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIERS_AVAILABLE
        | MQTTPROPERTY_CODE_SHARED_SUBSCRIPTION_AVAILABLE => MQTTPROPERTY_TYPE_BYTE,
        MQTTPROPERTY_CODE_SERVER_KEEP_ALIVE
        | MQTTPROPERTY_CODE_RECEIVE_MAXIMUM
        | MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM
        | MQTTPROPERTY_CODE_TOPIC_ALIAS => MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER,
        MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL
        | MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL
        | MQTTPROPERTY_CODE_WILL_DELAY_INTERVAL
        | MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE => MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER,
        MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER => MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER,
        MQTTPROPERTY_CODE_CORRELATION_DATA | MQTTPROPERTY_CODE_AUTHENTICATION_DATA => {
            MQTTPROPERTY_TYPE_BINARY_DATA
        }
        MQTTPROPERTY_CODE_CONTENT_TYPE
        | MQTTPROPERTY_CODE_RESPONSE_TOPIC
        | MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER
        | MQTTPROPERTY_CODE_AUTHENTICATION_METHOD
        | MQTTPROPERTY_CODE_RESPONSE_INFORMATION
        | MQTTPROPERTY_CODE_SERVER_REFERENCE
        | MQTTPROPERTY_CODE_REASON_STRING => MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING,
        MQTTPROPERTY_CODE_USER_PROPERTY => MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR,
        _ => -1,
    }
}

/// The name `MQTTPropertyName` gives an identifier (the enum name without its prefix).
pub fn property_name(id: MQTTPropertyCodes) -> Option<&'static CStr> {
    Some(match id {
        MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR => c"PAYLOAD_FORMAT_INDICATOR",
        MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL => c"MESSAGE_EXPIRY_INTERVAL",
        MQTTPROPERTY_CODE_CONTENT_TYPE => c"CONTENT_TYPE",
        MQTTPROPERTY_CODE_RESPONSE_TOPIC => c"RESPONSE_TOPIC",
        MQTTPROPERTY_CODE_CORRELATION_DATA => c"CORRELATION_DATA",
        MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER => c"SUBSCRIPTION_IDENTIFIER",
        MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL => c"SESSION_EXPIRY_INTERVAL",
        MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER => c"ASSIGNED_CLIENT_IDENTIFER",
        MQTTPROPERTY_CODE_SERVER_KEEP_ALIVE => c"SERVER_KEEP_ALIVE",
        MQTTPROPERTY_CODE_AUTHENTICATION_METHOD => c"AUTHENTICATION_METHOD",
        MQTTPROPERTY_CODE_AUTHENTICATION_DATA => c"AUTHENTICATION_DATA",
        MQTTPROPERTY_CODE_REQUEST_PROBLEM_INFORMATION => c"REQUEST_PROBLEM_INFORMATION",
        MQTTPROPERTY_CODE_WILL_DELAY_INTERVAL => c"WILL_DELAY_INTERVAL",
        MQTTPROPERTY_CODE_REQUEST_RESPONSE_INFORMATION => c"REQUEST_RESPONSE_INFORMATION",
        MQTTPROPERTY_CODE_RESPONSE_INFORMATION => c"RESPONSE_INFORMATION",
        MQTTPROPERTY_CODE_SERVER_REFERENCE => c"SERVER_REFERENCE",
        MQTTPROPERTY_CODE_REASON_STRING => c"REASON_STRING",
        MQTTPROPERTY_CODE_RECEIVE_MAXIMUM => c"RECEIVE_MAXIMUM",
        MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM => c"TOPIC_ALIAS_MAXIMUM",
        MQTTPROPERTY_CODE_TOPIC_ALIAS => c"TOPIC_ALIAS",
        MQTTPROPERTY_CODE_MAXIMUM_QOS => c"MAXIMUM_QOS",
        MQTTPROPERTY_CODE_RETAIN_AVAILABLE => c"RETAIN_AVAILABLE",
        MQTTPROPERTY_CODE_USER_PROPERTY => c"USER_PROPERTY",
        MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE => c"MAXIMUM_PACKET_SIZE",
        MQTTPROPERTY_CODE_WILDCARD_SUBSCRIPTION_AVAILABLE => c"WILDCARD_SUBSCRIPTION_AVAILABLE",
        MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIERS_AVAILABLE => {
            c"SUBSCRIPTION_IDENTIFIERS_AVAILABLE"
        }
        MQTTPROPERTY_CODE_SHARED_SUBSCRIPTION_AVAILABLE => c"SHARED_SUBSCRIPTION_AVAILABLE",
        _ => return None,
    })
}

/// The text `MQTTReasonCode_toString` gives a reason code (Paho's wording, which user
/// programs print and may compare).
pub fn reason_code_text(code: MQTTReasonCodes) -> Option<&'static CStr> {
    Some(match code {
        MQTTREASONCODE_SUCCESS => c"SUCCESS",
        MQTTREASONCODE_GRANTED_QOS_1 => c"Granted QoS 1",
        MQTTREASONCODE_GRANTED_QOS_2 => c"Granted QoS 2",
        MQTTREASONCODE_DISCONNECT_WITH_WILL_MESSAGE => c"Disconnect with Will Message",
        MQTTREASONCODE_NO_MATCHING_SUBSCRIBERS => c"No matching subscribers",
        MQTTREASONCODE_NO_SUBSCRIPTION_FOUND => c"No subscription found",
        MQTTREASONCODE_CONTINUE_AUTHENTICATION => c"Continue authentication",
        MQTTREASONCODE_RE_AUTHENTICATE => c"Re-authenticate",
        MQTTREASONCODE_UNSPECIFIED_ERROR => c"Unspecified error",
        MQTTREASONCODE_MALFORMED_PACKET => c"Malformed Packet",
        MQTTREASONCODE_PROTOCOL_ERROR => c"Protocol error",
        MQTTREASONCODE_IMPLEMENTATION_SPECIFIC_ERROR => c"Implementation specific error",
        MQTTREASONCODE_UNSUPPORTED_PROTOCOL_VERSION => c"Unsupported Protocol Version",
        MQTTREASONCODE_CLIENT_IDENTIFIER_NOT_VALID => c"Client Identifier not valid",
        MQTTREASONCODE_BAD_USER_NAME_OR_PASSWORD => c"Bad User Name or Password",
        MQTTREASONCODE_NOT_AUTHORIZED => c"Not authorized",
        MQTTREASONCODE_SERVER_UNAVAILABLE => c"Server unavailable",
        MQTTREASONCODE_SERVER_BUSY => c"Server busy",
        MQTTREASONCODE_BANNED => c"Banned",
        MQTTREASONCODE_SERVER_SHUTTING_DOWN => c"Server shutting down",
        MQTTREASONCODE_BAD_AUTHENTICATION_METHOD => c"Bad authentication method",
        MQTTREASONCODE_KEEP_ALIVE_TIMEOUT => c"Keep Alive timeout",
        MQTTREASONCODE_SESSION_TAKEN_OVER => c"Session taken over",
        MQTTREASONCODE_TOPIC_FILTER_INVALID => c"Topic filter invalid",
        MQTTREASONCODE_TOPIC_NAME_INVALID => c"Topic name invalid",
        MQTTREASONCODE_PACKET_IDENTIFIER_IN_USE => c"Packet Identifier in use",
        MQTTREASONCODE_PACKET_IDENTIFIER_NOT_FOUND => c"Packet Identifier not found",
        MQTTREASONCODE_RECEIVE_MAXIMUM_EXCEEDED => c"Receive Maximum exceeded",
        MQTTREASONCODE_TOPIC_ALIAS_INVALID => c"Topic Alias invalid",
        MQTTREASONCODE_PACKET_TOO_LARGE => c"Packet too large",
        MQTTREASONCODE_MESSAGE_RATE_TOO_HIGH => c"Message rate too high",
        MQTTREASONCODE_QUOTA_EXCEEDED => c"Quota exceeded",
        MQTTREASONCODE_ADMINISTRATIVE_ACTION => c"Administrative action",
        MQTTREASONCODE_PAYLOAD_FORMAT_INVALID => c"Payload format invalid",
        MQTTREASONCODE_RETAIN_NOT_SUPPORTED => c"Retain not supported",
        MQTTREASONCODE_QOS_NOT_SUPPORTED => c"QoS not supported",
        MQTTREASONCODE_USE_ANOTHER_SERVER => c"Use another server",
        MQTTREASONCODE_SERVER_MOVED => c"Server moved",
        MQTTREASONCODE_SHARED_SUBSCRIPTIONS_NOT_SUPPORTED => c"Shared subscriptions not supported",
        MQTTREASONCODE_CONNECTION_RATE_EXCEEDED => c"Connection rate exceeded",
        MQTTREASONCODE_MAXIMUM_CONNECT_TIME => c"Maximum connect time",
        MQTTREASONCODE_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED => {
            c"Subscription Identifiers not supported"
        }
        MQTTREASONCODE_WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED => {
            c"Wildcard Subscriptions not supported"
        }
        _ => return None,
    })
}

/// Bytes a variable byte integer takes on the wire, computed the way Paho does (on the
/// value as a signed int, so values of 2^31 and above count as one byte).
fn vbi_len(value: c_uint) -> c_int {
    let v = value as c_int;
    if v < 128 {
        1
    } else if v < 16_384 {
        2
    } else if v < 2_097_152 {
        3
    } else {
        4
    }
}

/// The entries of a C list, or an empty slice for NULL, an empty list or a list whose
/// array is missing.
///
/// # Safety
/// `props` is NULL or points to an `MQTTProperties` whose `array` holds `count` entries,
/// valid and unchanged for `'a`.
unsafe fn entries<'a>(props: *const MQTTProperties) -> &'a [MQTTProperty] {
    // SAFETY: NULL is checked; otherwise the caller vouches for the pointer.
    let Some(p) = (unsafe { props.as_ref() }) else {
        return &[];
    };
    if p.array.is_null() || p.count <= 0 {
        return &[];
    }
    // SAFETY: the caller vouches that `array` holds `count` entries.
    unsafe { std::slice::from_raw_parts(p.array, p.count as usize) }
}

/// A NUL-terminated `malloc`ed copy of a counted string, or NULL if allocation failed.
///
/// # Safety
/// `s.data` points to `s.len` readable bytes (it may be NULL when `s.len` is 0).
unsafe fn dup_len_string(s: &MQTTLenString) -> *mut c_char {
    let len = s.len.max(0) as usize;
    // SAFETY: plain allocation.
    let copy = unsafe { libc::malloc(len + 1) } as *mut c_char;
    if copy.is_null() {
        return copy;
    }
    if len > 0 {
        // SAFETY: the caller vouches for `len` bytes at `data`; `copy` has `len + 1`.
        unsafe { ptr::copy_nonoverlapping(s.data, copy, len) };
    }
    // SAFETY: index `len` is inside the `len + 1` bytes allocated.
    unsafe { *copy.add(len) = 0 };
    copy
}

/// Whether a counted string can be read: a non-negative length, and data unless empty.
fn len_string_ok(s: &MQTTLenString) -> bool {
    s.len >= 0 && (s.len == 0 || !s.data.is_null())
}

/// Appends a copy of `prop` to `props`; the logic behind `MQTTProperties_add`.
///
/// Returns 0, `MQTT_INVALID_PROPERTY_ID` for an unknown identifier, `MQTTCLIENT_FAILURE`
/// for a malformed list or string, or [`PAHO_MEMORY_ERROR`]. On error `props` is unchanged.
///
/// # Safety
/// `props.array` is NULL or a `malloc`ed array of `max_count` entries whose first `count`
/// are initialised; string members of `prop` point to as many bytes as they say.
pub unsafe fn add_property(props: &mut MQTTProperties, prop: &MQTTProperty) -> c_int {
    let ty = property_type(prop.identifier);
    if ty < 0 {
        return MQTT_INVALID_PROPERTY_ID;
    }
    // SAFETY: reading the union as its string view is only used for string types.
    let strings = unsafe { prop.value.strings };
    let len = match ty {
        MQTTPROPERTY_TYPE_BYTE => 1,
        MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER => 2,
        MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER => 4,
        // SAFETY: integer4 is the live member for variable byte integers.
        MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER => vbi_len(unsafe { prop.value.integer4 }),
        MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR => {
            if !len_string_ok(&strings.data) || !len_string_ok(&strings.value) {
                return MQTTCLIENT_FAILURE;
            }
            4i32.saturating_add(strings.data.len)
                .saturating_add(strings.value.len)
        }
        _ => {
            if !len_string_ok(&strings.data) {
                return MQTTCLIENT_FAILURE;
            }
            2i32.saturating_add(strings.data.len)
        }
    };

    if props.array.is_null() {
        // SAFETY: plain allocation.
        let array = unsafe { libc::malloc(GROWTH as usize * size_of::<MQTTProperty>()) };
        if array.is_null() {
            return PAHO_MEMORY_ERROR;
        }
        props.array = array as *mut MQTTProperty;
        props.max_count = GROWTH;
        props.count = 0;
    } else if props.count < 0 || props.count > props.max_count {
        return MQTTCLIENT_FAILURE;
    } else if props.count == props.max_count {
        let Some(max) = props.max_count.checked_add(GROWTH) else {
            return PAHO_MEMORY_ERROR;
        };
        // SAFETY: `array` came from malloc (the caller's promise).
        let array = unsafe {
            libc::realloc(
                props.array as *mut c_void,
                max as usize * size_of::<MQTTProperty>(),
            )
        };
        if array.is_null() {
            return PAHO_MEMORY_ERROR;
        }
        props.array = array as *mut MQTTProperty;
        props.max_count = max;
    }

    let mut entry = *prop;
    if ty >= MQTTPROPERTY_TYPE_BINARY_DATA {
        // SAFETY: checked by len_string_ok above; the caller vouches for the bytes.
        let data = unsafe { dup_len_string(&strings.data) };
        if data.is_null() {
            return PAHO_MEMORY_ERROR;
        }
        entry.value.strings.data.data = data;
        if ty == MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR {
            // SAFETY: as for `data`.
            let value = unsafe { dup_len_string(&strings.value) };
            if value.is_null() {
                // SAFETY: `data` was just allocated and is not referenced elsewhere.
                unsafe { libc::free(data as *mut c_void) };
                return PAHO_MEMORY_ERROR;
            }
            entry.value.strings.value.data = value;
        }
    }
    // SAFETY: count < max_count here, so the slot is inside the allocation.
    unsafe { props.array.add(props.count as usize).write(entry) };
    props.count += 1;
    props.length = props.length.saturating_add(len + 1);
    0
}

/// Frees every string of the list, its array, and zeroes it; the logic behind
/// `MQTTProperties_free`.
///
/// # Safety
/// `props` is NULL or a list whose array and strings were allocated with `malloc` (as
/// [`add_property`] does).
pub unsafe fn free_properties(props: *mut MQTTProperties) {
    // SAFETY: NULL is checked; otherwise the caller vouches for the pointer.
    let Some(p) = (unsafe { props.as_mut() }) else {
        return;
    };
    // SAFETY: same contract as ours.
    for e in unsafe { entries(p) } {
        let ty = property_type(e.identifier);
        if ty >= MQTTPROPERTY_TYPE_BINARY_DATA {
            // SAFETY: string types own malloc'ed copies.
            unsafe { libc::free(e.value.strings.data.data as *mut c_void) };
            if ty == MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR {
                // SAFETY: as above.
                unsafe { libc::free(e.value.strings.value.data as *mut c_void) };
            }
        }
    }
    if !p.array.is_null() {
        // SAFETY: the array came from malloc.
        unsafe { libc::free(p.array as *mut c_void) };
    }
    *p = MQTTProperties::INITIALIZER;
}

/// A deep copy; entries that cannot be copied are left out, as in Paho.
///
/// # Safety
/// As for [`entries`].
pub unsafe fn copy_properties(props: *const MQTTProperties) -> MQTTProperties {
    let mut result = MQTTProperties::INITIALIZER;
    // SAFETY: the caller's promise.
    for e in unsafe { entries(props) } {
        // SAFETY: `result` is ours and well formed; `e` is a valid entry.
        let _ = unsafe { add_property(&mut result, e) };
    }
    result
}

/// The index-th entry with identifier `id` (as `MQTTProperties_getPropertyAt` counts).
///
/// # Safety
/// As for [`entries`].
unsafe fn find_at(
    props: *const MQTTProperties,
    id: MQTTPropertyCodes,
    index: c_int,
) -> *mut MQTTProperty {
    let mut seen = 0;
    // SAFETY: the caller's promise.
    let list = unsafe { entries(props) };
    for (i, e) in list.iter().enumerate() {
        if e.identifier == id {
            if seen == index {
                // SAFETY: `props` is non-NULL with an array when `list` is not empty.
                return unsafe { (*props).array.add(i) };
            }
            seen += 1;
        }
    }
    ptr::null_mut()
}

/// The numeric value of the index-th entry with identifier `id` (as
/// `MQTTProperties_getNumericValueAt` counts: an index below 0 means the first).
///
/// # Safety
/// As for [`entries`].
unsafe fn numeric_at(props: *const MQTTProperties, id: MQTTPropertyCodes, index: c_int) -> c_int {
    let mut seen = 0;
    // SAFETY: the caller's promise.
    for e in unsafe { entries(props) } {
        if e.identifier != id {
            continue;
        }
        if seen < index {
            seen += 1;
            continue;
        }
        // SAFETY: the live union member follows from the identifier's type.
        return unsafe {
            match property_type(id) {
                MQTTPROPERTY_TYPE_BYTE => c_int::from(e.value.byte),
                MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER => c_int::from(e.value.integer2),
                MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER | MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER => {
                    e.value.integer4 as c_int
                }
                _ => NUMERIC_NOT_A_NUMBER,
            }
        };
    }
    NUMERIC_NOT_FOUND
}

// ---------------------------------------------------------------------------------------------
// The exported C functions
// ---------------------------------------------------------------------------------------------

/// `MQTTProperty_getType`: the value type of an identifier, or -1.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub extern "C" fn MQTTProperty_getType(value: MQTTPropertyCodes) -> c_int {
    guard(-1, || property_type(value))
}

/// `MQTTPropertyName`: a static name for an identifier, or NULL.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub extern "C" fn MQTTPropertyName(value: MQTTPropertyCodes) -> *const c_char {
    guard(ptr::null(), || {
        property_name(value).map_or(ptr::null(), CStr::as_ptr)
    })
}

/// `MQTTReasonCode_toString`: a static text for a reason code, or NULL.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub extern "C" fn MQTTReasonCode_toString(value: MQTTReasonCodes) -> *const c_char {
    guard(ptr::null(), || {
        reason_code_text(value).map_or(ptr::null(), CStr::as_ptr)
    })
}

/// `MQTTProperties_add`: appends a copy of `prop`.
///
/// # Safety
/// `props` and `prop` are NULL or valid; see [`add_property`].
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_add(
    props: *mut MQTTProperties,
    prop: *const MQTTProperty,
) -> c_int {
    guard(MQTTCLIENT_FAILURE, || {
        // SAFETY: NULL is checked; otherwise the caller vouches for the pointers.
        match unsafe { (props.as_mut(), prop.as_ref()) } {
            // SAFETY: the caller's promise, passed on.
            (Some(props), Some(prop)) => unsafe { add_property(props, prop) },
            _ => MQTTCLIENT_FAILURE,
        }
    })
}

/// `MQTTProperties_free`: frees the entries and the array, and empties the list.
///
/// # Safety
/// See [`free_properties`].
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_free(props: *mut MQTTProperties) {
    // SAFETY: the caller's promise, passed on.
    guard((), || unsafe { free_properties(props) })
}

/// `MQTTProperties_copy`: a deep copy (an empty list for NULL).
///
/// # Safety
/// `props` is NULL or a valid list.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_copy(props: *const MQTTProperties) -> MQTTProperties {
    // SAFETY: the caller's promise, passed on.
    guard(MQTTProperties::INITIALIZER, || unsafe {
        copy_properties(props)
    })
}

/// `MQTTProperties_hasProperty`: 1 if an entry has identifier `propid`, else 0.
///
/// # Safety
/// `props` is NULL or a valid list.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_hasProperty(
    props: *mut MQTTProperties,
    propid: MQTTPropertyCodes,
) -> c_int {
    // SAFETY: the caller's promise, passed on.
    guard(0, || {
        c_int::from(
            unsafe { entries(props) }
                .iter()
                .any(|e| e.identifier == propid),
        )
    })
}

/// `MQTTProperties_propertyCount`: how many entries have identifier `propid`.
///
/// # Safety
/// `props` is NULL or a valid list.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_propertyCount(
    props: *mut MQTTProperties,
    propid: MQTTPropertyCodes,
) -> c_int {
    guard(0, || {
        // SAFETY: the caller's promise, passed on.
        let n = unsafe { entries(props) }
            .iter()
            .filter(|e| e.identifier == propid)
            .count();
        c_int::try_from(n).unwrap_or(c_int::MAX)
    })
}

/// `MQTTProperties_getNumericValue`: the integer value of the first entry `propid`.
///
/// # Safety
/// `props` is NULL or a valid list.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_getNumericValue(
    props: *mut MQTTProperties,
    propid: MQTTPropertyCodes,
) -> c_int {
    // SAFETY: the caller's promise, passed on.
    guard(NUMERIC_NOT_FOUND, || unsafe {
        numeric_at(props, propid, 0)
    })
}

/// `MQTTProperties_getNumericValueAt`: the integer value of the index-th entry `propid`.
///
/// # Safety
/// `props` is NULL or a valid list.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_getNumericValueAt(
    props: *mut MQTTProperties,
    propid: MQTTPropertyCodes,
    index: c_int,
) -> c_int {
    // SAFETY: the caller's promise, passed on.
    guard(NUMERIC_NOT_FOUND, || unsafe {
        numeric_at(props, propid, index)
    })
}

/// `MQTTProperties_getProperty`: the first entry `propid`, or NULL.
///
/// # Safety
/// `props` is NULL or a valid list.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_getProperty(
    props: *mut MQTTProperties,
    propid: MQTTPropertyCodes,
) -> *mut MQTTProperty {
    // SAFETY: the caller's promise, passed on.
    guard(ptr::null_mut(), || unsafe { find_at(props, propid, 0) })
}

/// `MQTTProperties_getPropertyAt`: the index-th entry `propid`, or NULL.
///
/// # Safety
/// `props` is NULL or a valid list.
#[cfg_attr(any(feature = "sync", feature = "async"), no_mangle)]
pub unsafe extern "C" fn MQTTProperties_getPropertyAt(
    props: *mut MQTTProperties,
    propid: MQTTPropertyCodes,
    index: c_int,
) -> *mut MQTTProperty {
    // SAFETY: the caller's promise, passed on.
    guard(ptr::null_mut(), || unsafe { find_at(props, propid, index) })
}

/// `MQTTResponse_free`: frees what a response points to (its reason code array when it
/// has entries, and its properties). Only the synchronous library has it.
///
/// # Safety
/// The pointers in `response` are NULL or were allocated with `malloc`, as ours are.
#[cfg_attr(feature = "sync", no_mangle)]
pub unsafe extern "C" fn MQTTResponse_free(response: MQTTResponse) {
    guard((), || {
        if response.reasonCodeCount > 0 && !response.reasonCodes.is_null() {
            // SAFETY: malloc'ed by us (the caller's promise).
            unsafe { libc::free(response.reasonCodes as *mut c_void) };
        }
        if !response.properties.is_null() {
            // SAFETY: as above, for the list and then the struct holding it.
            unsafe {
                free_properties(response.properties);
                libc::free(response.properties as *mut c_void);
            }
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Conversion between the codec's Properties and MQTTProperties
// ---------------------------------------------------------------------------------------------

/// Why a property list could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyConversionError {
    /// An identifier that MQTT 5 does not define.
    UnknownIdentifier(c_int),
    /// A value whose kind does not match its identifier's type (Rust side).
    WrongValueType(u8),
    /// A negative count or length, a missing array or string data (C side), or a
    /// string or binary value over 2 GiB (Rust side).
    Malformed,
    /// A string property that is not valid UTF-8 (C side).
    BadUtf8(u8),
    /// `malloc` failed.
    OutOfMemory,
}

/// Converts a C list to the codec's form, borrowing its strings and binary data.
///
/// NULL or an empty list gives an empty list. Strings must be valid UTF-8 (the codec
/// applies MQTT's further string rules when it encodes).
///
/// # Safety
/// `props` is NULL or points to a list whose array holds `count` entries and whose
/// string members point to as many bytes as they say, all valid and unchanged for `'a`.
pub unsafe fn properties_from_c<'a>(
    props: *const MQTTProperties,
) -> Result<Properties<'a>, PropertyConversionError> {
    // SAFETY: NULL is checked; otherwise the caller vouches for the pointer.
    let Some(p) = (unsafe { props.as_ref() }) else {
        return Ok(Properties::default());
    };
    if p.count < 0 || (p.count > 0 && p.array.is_null()) {
        return Err(PropertyConversionError::Malformed);
    }
    // SAFETY: checked just above; the rest is the caller's promise.
    let list: &'a [MQTTProperty] = unsafe { entries(props) };
    let mut out = Vec::with_capacity(list.len());
    for e in list {
        let ty = property_type(e.identifier);
        let id = u8::try_from(e.identifier)
            .ok()
            .filter(|_| ty >= 0)
            .ok_or(PropertyConversionError::UnknownIdentifier(e.identifier))?;
        // SAFETY: each arm reads the member that the identifier's type makes live; the
        // string bytes are the caller's promise.
        let value = unsafe {
            match ty {
                MQTTPROPERTY_TYPE_BYTE => PropertyValue::Byte(e.value.byte),
                MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER => PropertyValue::TwoByte(e.value.integer2),
                MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER => PropertyValue::FourByte(e.value.integer4),
                MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER => PropertyValue::VarInt(e.value.integer4),
                MQTTPROPERTY_TYPE_BINARY_DATA => {
                    PropertyValue::Binary(Cow::Borrowed(len_string_bytes(&e.value.strings.data)?))
                }
                MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING => {
                    PropertyValue::Utf8(Cow::Borrowed(len_string_str(&e.value.strings.data, id)?))
                }
                _ => PropertyValue::Pair(
                    Cow::Borrowed(len_string_str(&e.value.strings.data, id)?),
                    Cow::Borrowed(len_string_str(&e.value.strings.value, id)?),
                ),
            }
        };
        out.push(Property { id, value });
    }
    Ok(Properties(out))
}

/// The bytes of a counted string.
///
/// # Safety
/// `s.data` points to `s.len` bytes valid for `'a`.
unsafe fn len_string_bytes<'a>(s: &MQTTLenString) -> Result<&'a [u8], PropertyConversionError> {
    if !len_string_ok(s) {
        return Err(PropertyConversionError::Malformed);
    }
    if s.len == 0 {
        return Ok(&[]);
    }
    // SAFETY: non-NULL with `len` bytes, by the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(s.data as *const u8, s.len as usize) })
}

/// A counted string as `&str`.
///
/// # Safety
/// As for [`len_string_bytes`].
unsafe fn len_string_str<'a>(
    s: &MQTTLenString,
    id: u8,
) -> Result<&'a str, PropertyConversionError> {
    // SAFETY: the caller's promise, passed on.
    let bytes = unsafe { len_string_bytes(s) }?;
    std::str::from_utf8(bytes).map_err(|_| PropertyConversionError::BadUtf8(id))
}

/// A counted string pointing into Rust data, for [`add_property`] to copy.
fn borrowed_len_string(bytes: &[u8]) -> Result<MQTTLenString, PropertyConversionError> {
    Ok(MQTTLenString {
        len: c_int::try_from(bytes.len()).map_err(|_| PropertyConversionError::Malformed)?,
        data: bytes.as_ptr() as *mut c_char,
    })
}

/// Builds a `malloc`ed C list from the codec's form, in the same order. The result has
/// exactly the `count`, `max_count` and `length` Paho would give it after adding the
/// entries one by one, and is released with `MQTTProperties_free` (or [`free_properties`]).
pub fn properties_to_c(props: &Properties<'_>) -> Result<MQTTProperties, PropertyConversionError> {
    let mut out = MQTTProperties::INITIALIZER;
    for p in &props.0 {
        let id = MQTTPropertyCodes::from(p.id);
        let ty = property_type(id);
        if ty < 0 {
            // SAFETY: `out` was built by add_property only.
            unsafe { free_properties(&mut out) };
            return Err(PropertyConversionError::UnknownIdentifier(id));
        }
        let empty = MQTTLenString {
            len: 0,
            data: ptr::null_mut(),
        };
        let strings = |data, value| MQTTProperty_value {
            strings: MQTTProperty_value_strings { data, value },
        };
        let value = match (&p.value, ty) {
            (PropertyValue::Byte(b), MQTTPROPERTY_TYPE_BYTE) => Ok(MQTTProperty_value { byte: *b }),
            (PropertyValue::TwoByte(v), MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER) => {
                Ok(MQTTProperty_value { integer2: *v })
            }
            (PropertyValue::FourByte(v), MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER)
            | (PropertyValue::VarInt(v), MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER) => {
                Ok(MQTTProperty_value { integer4: *v })
            }
            (PropertyValue::Binary(b), MQTTPROPERTY_TYPE_BINARY_DATA) => {
                borrowed_len_string(b).map(|d| strings(d, empty))
            }
            (PropertyValue::Utf8(s), MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING) => {
                borrowed_len_string(s.as_bytes()).map(|d| strings(d, empty))
            }
            (PropertyValue::Pair(k, v), MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR) => {
                borrowed_len_string(k.as_bytes())
                    .and_then(|k| Ok(strings(k, borrowed_len_string(v.as_bytes())?)))
            }
            _ => Err(PropertyConversionError::WrongValueType(p.id)),
        };
        let rc = match value {
            // SAFETY: `out` is well formed; the strings point into `props`, alive here.
            Ok(value) => unsafe {
                add_property(
                    &mut out,
                    &MQTTProperty {
                        identifier: id,
                        value,
                    },
                )
            },
            Err(e) => {
                // SAFETY: `out` was built by add_property only.
                unsafe { free_properties(&mut out) };
                return Err(e);
            }
        };
        if rc != 0 {
            // SAFETY: as above.
            unsafe { free_properties(&mut out) };
            return Err(match rc {
                PAHO_MEMORY_ERROR => PropertyConversionError::OutOfMemory,
                _ => PropertyConversionError::Malformed,
            });
        }
    }
    Ok(out)
}

/// Like [`properties_to_c`], but the list itself is also `malloc`ed (what
/// `MQTTResponse.properties` holds; `MQTTResponse_free` releases both).
pub fn properties_to_c_malloced(
    props: &Properties<'_>,
) -> Result<*mut MQTTProperties, PropertyConversionError> {
    let list = properties_to_c(props)?;
    // SAFETY: plain allocation.
    let boxed = unsafe { libc::malloc(size_of::<MQTTProperties>()) } as *mut MQTTProperties;
    if boxed.is_null() {
        let mut list = list;
        // SAFETY: built by properties_to_c.
        unsafe { free_properties(&mut list) };
        return Err(PropertyConversionError::OutOfMemory);
    }
    // SAFETY: freshly allocated with room for one list.
    unsafe { boxed.write(list) };
    Ok(boxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::prop_id;

    fn sample() -> Properties<'static> {
        Properties(vec![
            Property {
                id: prop_id::PAYLOAD_FORMAT_INDICATOR,
                value: PropertyValue::Byte(1),
            },
            Property {
                id: prop_id::MESSAGE_EXPIRY_INTERVAL,
                value: PropertyValue::FourByte(3600),
            },
            Property {
                id: prop_id::TOPIC_ALIAS,
                value: PropertyValue::TwoByte(7),
            },
            Property {
                id: prop_id::SUBSCRIPTION_IDENTIFIER,
                value: PropertyValue::VarInt(200_000),
            },
            Property {
                id: prop_id::CONTENT_TYPE,
                value: PropertyValue::Utf8("text/plain".into()),
            },
            Property {
                id: prop_id::CORRELATION_DATA,
                value: PropertyValue::Binary(b"a\0b".to_vec().into()),
            },
            Property {
                id: prop_id::USER_PROPERTY,
                value: PropertyValue::Pair("k1".into(), "v1".into()),
            },
            Property {
                id: prop_id::USER_PROPERTY,
                value: PropertyValue::Pair("k1".into(), "".into()),
            },
        ])
    }

    #[test]
    fn round_trip_keeps_order_values_and_wire_length() {
        let mut c = properties_to_c(&sample()).unwrap_or_else(|e| panic!("{}: {e:?}", "converts"));
        assert_eq!((c.count, c.max_count), (8, 10));
        // 2 + 5 + 3 + 4 + 13 + 6 + 9 + 7: identifier byte plus encoded value each.
        assert_eq!(c.length, 49);
        let back = unsafe { properties_from_c(&c) }
            .unwrap_or_else(|e| panic!("{}: {e:?}", "converts back"))
            .into_owned();
        assert_eq!(back, sample());
        unsafe { free_properties(&mut c) };
        assert_eq!((c.count, c.max_count, c.length), (0, 0, 0));
        assert!(c.array.is_null());
    }

    #[test]
    fn strings_are_copied_and_nul_terminated() {
        let src = b"abc".to_vec();
        let mut list = MQTTProperties::INITIALIZER;
        let prop = MQTTProperty {
            identifier: MQTTPROPERTY_CODE_CONTENT_TYPE,
            value: MQTTProperty_value {
                strings: MQTTProperty_value_strings {
                    data: MQTTLenString {
                        len: 3,
                        data: src.as_ptr() as *mut c_char,
                    },
                    value: MQTTLenString {
                        len: 0,
                        data: ptr::null_mut(),
                    },
                },
            },
        };
        assert_eq!(unsafe { add_property(&mut list, &prop) }, 0);
        let stored = unsafe { (*list.array).value.strings.data };
        assert_ne!(stored.data as *const u8, src.as_ptr());
        assert_eq!(unsafe { CStr::from_ptr(stored.data) }.to_bytes(), b"abc");
        unsafe { free_properties(&mut list) };
    }

    #[test]
    fn add_grows_by_ten_and_rejects_unknown_ids() {
        let mut list = MQTTProperties::INITIALIZER;
        let mut prop = MQTTProperty {
            identifier: MQTTPROPERTY_CODE_RECEIVE_MAXIMUM,
            value: MQTTProperty_value { integer2: 5 },
        };
        for i in 1..=21 {
            assert_eq!(unsafe { add_property(&mut list, &prop) }, 0);
            assert_eq!(list.count, i);
            assert_eq!(list.max_count, (i + 9) / 10 * 10);
        }
        assert_eq!(list.length, 21 * 3);
        prop.identifier = 0;
        assert_eq!(
            unsafe { add_property(&mut list, &prop) },
            MQTT_INVALID_PROPERTY_ID
        );
        assert_eq!(list.count, 21);
        unsafe { free_properties(&mut list) };
    }

    #[test]
    fn getters_follow_paho() {
        let mut c = properties_to_c(&sample()).unwrap_or_else(|e| panic!("{}: {e:?}", "converts"));
        let p = &mut c as *mut MQTTProperties;
        unsafe {
            assert_eq!(
                MQTTProperties_getNumericValue(p, MQTTPROPERTY_CODE_TOPIC_ALIAS),
                7
            );
            assert_eq!(
                MQTTProperties_getNumericValue(p, MQTTPROPERTY_CODE_CONTENT_TYPE),
                NUMERIC_NOT_A_NUMBER
            );
            assert_eq!(
                MQTTProperties_getNumericValue(p, MQTTPROPERTY_CODE_REASON_STRING),
                NUMERIC_NOT_FOUND
            );
            assert_eq!(
                MQTTProperties_getNumericValueAt(p, MQTTPROPERTY_CODE_TOPIC_ALIAS, -1),
                7
            );
            assert_eq!(
                MQTTProperties_propertyCount(p, MQTTPROPERTY_CODE_USER_PROPERTY),
                2
            );
            assert_eq!(
                MQTTProperties_hasProperty(p, MQTTPROPERTY_CODE_USER_PROPERTY),
                1
            );
            assert_eq!(
                MQTTProperties_getPropertyAt(p, MQTTPROPERTY_CODE_USER_PROPERTY, 1),
                c.array.add(7)
            );
            assert!(MQTTProperties_getPropertyAt(p, MQTTPROPERTY_CODE_USER_PROPERTY, -1).is_null());
            assert!(MQTTProperties_getProperty(ptr::null_mut(), 1).is_null());
            assert_eq!(
                MQTTProperties_add(ptr::null_mut(), ptr::null()),
                MQTTCLIENT_FAILURE
            );
            free_properties(p);
        }
    }

    #[test]
    fn from_c_refuses_bad_input() {
        let bad = [0xffu8, 0xfe];
        let mut list = MQTTProperties::INITIALIZER;
        let prop = MQTTProperty {
            identifier: MQTTPROPERTY_CODE_REASON_STRING,
            value: MQTTProperty_value {
                strings: MQTTProperty_value_strings {
                    data: MQTTLenString {
                        len: 2,
                        data: bad.as_ptr() as *mut c_char,
                    },
                    value: MQTTLenString {
                        len: 0,
                        data: ptr::null_mut(),
                    },
                },
            },
        };
        assert_eq!(unsafe { add_property(&mut list, &prop) }, 0);
        assert_eq!(
            unsafe { properties_from_c(&list) },
            Err(PropertyConversionError::BadUtf8(prop_id::REASON_STRING))
        );
        unsafe { free_properties(&mut list) };
        let broken = MQTTProperties {
            count: 2,
            max_count: 2,
            length: 0,
            array: ptr::null_mut(),
        };
        assert_eq!(
            unsafe { properties_from_c(&broken) },
            Err(PropertyConversionError::Malformed)
        );
        assert_eq!(
            unsafe { properties_from_c(ptr::null()) },
            Ok(Properties::default())
        );
    }

    #[test]
    fn to_c_refuses_mismatched_values() {
        let wrong = Properties(vec![Property {
            id: prop_id::TOPIC_ALIAS,
            value: PropertyValue::Byte(1),
        }]);
        assert_eq!(
            properties_to_c(&wrong).err(),
            Some(PropertyConversionError::WrongValueType(
                prop_id::TOPIC_ALIAS
            ))
        );
        let unknown = Properties(vec![Property {
            id: 0x7f,
            value: PropertyValue::Byte(1),
        }]);
        assert_eq!(
            properties_to_c(&unknown).err(),
            Some(PropertyConversionError::UnknownIdentifier(0x7f))
        );
    }

    #[test]
    fn names_and_texts() {
        let name = MQTTPropertyName(MQTTPROPERTY_CODE_USER_PROPERTY);
        assert_eq!(unsafe { CStr::from_ptr(name) }, c"USER_PROPERTY");
        assert!(MQTTPropertyName(4).is_null());
        assert_eq!(
            MQTTProperty_getType(MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER),
            MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER
        );
        assert_eq!(MQTTProperty_getType(0), -1);
        let text = MQTTReasonCode_toString(MQTTREASONCODE_BANNED);
        assert_eq!(unsafe { CStr::from_ptr(text) }, c"Banned");
        assert!(MQTTReasonCode_toString(3).is_null());
    }

    #[test]
    fn response_free_releases_everything() {
        let codes =
            unsafe { libc::malloc(2 * size_of::<MQTTReasonCodes>()) } as *mut MQTTReasonCodes;
        let props =
            properties_to_c_malloced(&sample()).unwrap_or_else(|e| panic!("{}: {e:?}", "converts"));
        let response = MQTTResponse {
            reasonCodeCount: 2,
            reasonCodes: codes,
            properties: props,
            ..MQTTResponse::INITIALIZER
        };
        // Leaks or double frees would show under valgrind/ASan; here it must simply not crash.
        unsafe { MQTTResponse_free(response) };
        unsafe { MQTTResponse_free(MQTTResponse::INITIALIZER) };
    }
}
