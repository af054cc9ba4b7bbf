//! `#[repr(C)]` mirrors of every public type in Paho's headers (`include/MQTT*.h`).
//!
//! Field names, order and types follow the C declarations exactly, so a pointer handed in by
//! a C caller can be read as the type of the same name here. C enums are kept as plain
//! `c_int` aliases plus constants: a caller may pass any integer in an enum slot, and a Rust
//! `enum` holding an unlisted value would be undefined behaviour.
//!
//! Anonymous C structs and unions get named Rust types (`<Outer>_<field>`); their layout is
//! the same. Function-pointer typedefs are `Option<unsafe extern "C" fn ...>` so NULL is `None`.
//!
//! `c-tests/abi/test_cbindgen.sh` checks every size and offset here against `include/`.

#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

use std::os::raw::{c_char, c_int, c_uchar, c_uint, c_ushort, c_void};
use std::ptr::{null, null_mut};

/// Turns four ASCII bytes into the `char[4]` eye-catcher every options struct starts with.
pub const fn struct_id(b: &[u8; 4]) -> [c_char; 4] {
    [
        b[0] as c_char,
        b[1] as c_char,
        b[2] as c_char,
        b[3] as c_char,
    ]
}

// ---------------------------------------------------------------------------------------------
// MQTTClient.h return codes
// ---------------------------------------------------------------------------------------------

/// The call worked.
pub const MQTTCLIENT_SUCCESS: c_int = 0;
/// Generic failure.
pub const MQTTCLIENT_FAILURE: c_int = -1;
/// A persistence callback or store failed (shared with MQTTClientPersistence.h).
pub const MQTTCLIENT_PERSISTENCE_ERROR: c_int = -2;
/// The client is not connected.
pub const MQTTCLIENT_DISCONNECTED: c_int = -3;
/// The in-flight window is full.
pub const MQTTCLIENT_MAX_MESSAGES_INFLIGHT: c_int = -4;
/// A string argument is not valid UTF-8.
pub const MQTTCLIENT_BAD_UTF8_STRING: c_int = -5;
/// A required pointer argument was NULL.
pub const MQTTCLIENT_NULL_PARAMETER: c_int = -6;
/// The topic held an embedded NUL, so the caller must use topicLen (receive only).
pub const MQTTCLIENT_TOPICNAME_TRUNCATED: c_int = -7;
/// Wrong struct_id or unsupported struct_version.
pub const MQTTCLIENT_BAD_STRUCTURE: c_int = -8;
/// QoS outside 0..=2.
pub const MQTTCLIENT_BAD_QOS: c_int = -9;
/// TLS was asked for from a library built without it.
pub const MQTTCLIENT_SSL_NOT_SUPPORTED: c_int = -10;
/// MQTTVersion is not one of the known values.
pub const MQTTCLIENT_BAD_MQTT_VERSION: c_int = -11;
/// The URI's scheme is not one we know.
pub const MQTTCLIENT_BAD_PROTOCOL: c_int = -14;
/// An option does not fit the MQTT version in use.
pub const MQTTCLIENT_BAD_MQTT_OPTION: c_int = -15;
/// The call belongs to the other MQTT version (a `5` call on 3.x or the reverse).
pub const MQTTCLIENT_WRONG_MQTT_VERSION: c_int = -16;
/// A will was given with an empty topic.
pub const MQTTCLIENT_0_LEN_WILL_TOPIC: c_int = -17;

// ---------------------------------------------------------------------------------------------
// MQTTAsync.h return codes
// ---------------------------------------------------------------------------------------------

/// The call worked.
pub const MQTTASYNC_SUCCESS: c_int = 0;
/// Generic failure.
pub const MQTTASYNC_FAILURE: c_int = -1;
/// A persistence callback or store failed.
pub const MQTTASYNC_PERSISTENCE_ERROR: c_int = -2;
/// The client is not connected.
pub const MQTTASYNC_DISCONNECTED: c_int = -3;
/// The in-flight window is full.
pub const MQTTASYNC_MAX_MESSAGES_INFLIGHT: c_int = -4;
/// A string argument is not valid UTF-8.
pub const MQTTASYNC_BAD_UTF8_STRING: c_int = -5;
/// A required pointer argument was NULL.
pub const MQTTASYNC_NULL_PARAMETER: c_int = -6;
/// The topic held an embedded NUL.
pub const MQTTASYNC_TOPICNAME_TRUNCATED: c_int = -7;
/// Wrong struct_id or unsupported struct_version.
pub const MQTTASYNC_BAD_STRUCTURE: c_int = -8;
/// QoS outside 0..=2.
pub const MQTTASYNC_BAD_QOS: c_int = -9;
/// All 65535 packet identifiers are in use.
pub const MQTTASYNC_NO_MORE_MSGIDS: c_int = -10;
/// The request was cut short before it finished.
pub const MQTTASYNC_OPERATION_INCOMPLETE: c_int = -11;
/// The offline buffer is full.
pub const MQTTASYNC_MAX_BUFFERED_MESSAGES: c_int = -12;
/// TLS was asked for from a library built without it.
pub const MQTTASYNC_SSL_NOT_SUPPORTED: c_int = -13;
/// The URI's scheme is not one we know.
pub const MQTTASYNC_BAD_PROTOCOL: c_int = -14;
/// An option does not fit the MQTT version in use.
pub const MQTTASYNC_BAD_MQTT_OPTION: c_int = -15;
/// The call belongs to the other MQTT version.
pub const MQTTASYNC_WRONG_MQTT_VERSION: c_int = -16;
/// A will was given with an empty topic.
pub const MQTTASYNC_0_LEN_WILL_TOPIC: c_int = -17;
/// A connect or disconnect was superseded by a later one.
pub const MQTTASYNC_COMMAND_IGNORED: c_int = -18;
/// maxBufferedMessages reached (1.3.x name).
pub const MQTTASYNC_MAX_BUFFERED: c_int = -19;
/// What MQTTAsync_isComplete returns for a finished token.
pub const MQTTASYNC_TRUE: c_int = 1;

// ---------------------------------------------------------------------------------------------
// Versions, persistence kinds, misc
// ---------------------------------------------------------------------------------------------

/// Try 3.1.1, fall back to 3.1.
pub const MQTTVERSION_DEFAULT: c_int = 0;
/// MQTT 3.1.
pub const MQTTVERSION_3_1: c_int = 3;
/// MQTT 3.1.1.
pub const MQTTVERSION_3_1_1: c_int = 4;
/// MQTT 5.0.
pub const MQTTVERSION_5: c_int = 5;
/// SUBACK return code for a refused subscription (3.1.1).
pub const MQTT_BAD_SUBSCRIBE: c_int = 0x80;

/// Let the TLS library choose the protocol version.
pub const MQTT_SSL_VERSION_DEFAULT: c_int = 0;
/// TLS 1.0.
pub const MQTT_SSL_VERSION_TLS_1_0: c_int = 1;
/// TLS 1.1.
pub const MQTT_SSL_VERSION_TLS_1_1: c_int = 2;
/// TLS 1.2.
pub const MQTT_SSL_VERSION_TLS_1_2: c_int = 3;

/// File-based persistence in the working directory (or the path given as context).
pub const MQTTCLIENT_PERSISTENCE_DEFAULT: c_int = 0;
/// In-memory only; lost when the process ends.
pub const MQTTCLIENT_PERSISTENCE_NONE: c_int = 1;
/// The caller's own store, a `MQTTClient_persistence` passed as context.
pub const MQTTCLIENT_PERSISTENCE_USER: c_int = 2;

/// Returned by property look-ups when the identifier is not present.
pub const MQTT_INVALID_PROPERTY_ID: c_int = -2;

// ---------------------------------------------------------------------------------------------
// struct_id eye-catchers and the newest struct_version we understand for each struct
// ---------------------------------------------------------------------------------------------

/// `MQTTClient_init_options` / `MQTTAsync_init_options`.
pub const INIT_OPTIONS_ID: [c_char; 4] = struct_id(b"MQTG");
/// Newest known `struct_version` of the init options.
pub const INIT_OPTIONS_VERSION: c_int = 0;
/// `MQTTClient_message` / `MQTTAsync_message`.
pub const MESSAGE_ID: [c_char; 4] = struct_id(b"MQTM");
/// Newest known version of a message (1 adds `properties`).
pub const MESSAGE_VERSION: c_int = 1;
/// `MQTTClient_createOptions` / `MQTTAsync_createOptions`.
pub const CREATE_OPTIONS_ID: [c_char; 4] = struct_id(b"MQCO");
/// Newest known version of `MQTTClient_createOptions`.
pub const CLIENT_CREATE_OPTIONS_VERSION: c_int = 0;
/// Newest known version of `MQTTAsync_createOptions` (1 adds the delete/restore flags,
/// 2 adds `persistQoS0`).
pub const ASYNC_CREATE_OPTIONS_VERSION: c_int = 2;
/// `*_willOptions`.
pub const WILL_OPTIONS_ID: [c_char; 4] = struct_id(b"MQTW");
/// Newest known version of the will options (1 adds the binary payload).
pub const WILL_OPTIONS_VERSION: c_int = 1;
/// `*_SSLOptions`.
pub const SSL_OPTIONS_ID: [c_char; 4] = struct_id(b"MQTS");
/// Newest known version of the TLS options (5 adds ALPN `protos`).
pub const SSL_OPTIONS_VERSION: c_int = 5;
/// `*_connectOptions`.
pub const CONNECT_OPTIONS_ID: [c_char; 4] = struct_id(b"MQTC");
/// Newest known version of `MQTTClient_connectOptions` (8 adds the HTTP proxy fields).
pub const CLIENT_CONNECT_OPTIONS_VERSION: c_int = 8;
/// Newest known version of `MQTTAsync_connectOptions` (8 adds the HTTP proxy fields).
pub const ASYNC_CONNECT_OPTIONS_VERSION: c_int = 8;
/// `MQTTSubscribe_options`.
pub const SUBSCRIBE_OPTIONS_ID: [c_char; 4] = struct_id(b"MQSO");
/// Newest known version of `MQTTSubscribe_options`.
pub const SUBSCRIBE_OPTIONS_VERSION: c_int = 0;
/// `MQTTAsync_responseOptions` / `MQTTAsync_callOptions`.
pub const RESPONSE_OPTIONS_ID: [c_char; 4] = struct_id(b"MQTR");
/// Newest known version of the response options (1 adds the MQTT 5 fields).
pub const RESPONSE_OPTIONS_VERSION: c_int = 1;
/// `MQTTAsync_disconnectOptions`.
pub const DISCONNECT_OPTIONS_ID: [c_char; 4] = struct_id(b"MQTD");
/// Newest known version of the disconnect options (1 adds the MQTT 5 fields).
pub const DISCONNECT_OPTIONS_VERSION: c_int = 1;
/// `MQTTAsync_connectData`.
pub const CONNECT_DATA_ID: [c_char; 4] = struct_id(b"MQCD");
/// Newest known version of `MQTTAsync_connectData`.
pub const CONNECT_DATA_VERSION: c_int = 0;
/// `MQTTAsync_failureData5`.
pub const FAILURE_DATA5_ID: [c_char; 4] = struct_id(b"MQFD");
/// Version of `MQTTAsync_failureData5` we hand out.
pub const FAILURE_DATA5_VERSION: c_int = 0;
/// `MQTTAsync_successData5`.
pub const SUCCESS_DATA5_ID: [c_char; 4] = struct_id(b"MQSD");
/// Version of `MQTTAsync_successData5` we hand out.
pub const SUCCESS_DATA5_VERSION: c_int = 0;
/// Version of `MQTTResponse` we hand out (it has a `version` field, no struct_id).
pub const RESPONSE_VERSION: c_int = 1;

// ---------------------------------------------------------------------------------------------
// MQTTProperties.h
// ---------------------------------------------------------------------------------------------

/// `enum MQTTPropertyCodes`: an MQTT 5 property identifier.
pub type MQTTPropertyCodes = c_int;
/// 0x01, byte.
pub const MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR: MQTTPropertyCodes = 1;
/// 0x02, four-byte integer.
pub const MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL: MQTTPropertyCodes = 2;
/// 0x03, string.
pub const MQTTPROPERTY_CODE_CONTENT_TYPE: MQTTPropertyCodes = 3;
/// 0x08, string.
pub const MQTTPROPERTY_CODE_RESPONSE_TOPIC: MQTTPropertyCodes = 8;
/// 0x09, binary.
pub const MQTTPROPERTY_CODE_CORRELATION_DATA: MQTTPropertyCodes = 9;
/// 0x0B, variable byte integer.
pub const MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER: MQTTPropertyCodes = 11;
/// 0x11, four-byte integer.
pub const MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL: MQTTPropertyCodes = 17;
/// 0x12, string (Paho's spelling keeps the typo).
pub const MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER: MQTTPropertyCodes = 18;
/// 0x13, two-byte integer.
pub const MQTTPROPERTY_CODE_SERVER_KEEP_ALIVE: MQTTPropertyCodes = 19;
/// 0x15, string.
pub const MQTTPROPERTY_CODE_AUTHENTICATION_METHOD: MQTTPropertyCodes = 21;
/// 0x16, binary.
pub const MQTTPROPERTY_CODE_AUTHENTICATION_DATA: MQTTPropertyCodes = 22;
/// 0x17, byte.
pub const MQTTPROPERTY_CODE_REQUEST_PROBLEM_INFORMATION: MQTTPropertyCodes = 23;
/// 0x18, four-byte integer.
pub const MQTTPROPERTY_CODE_WILL_DELAY_INTERVAL: MQTTPropertyCodes = 24;
/// 0x19, byte.
pub const MQTTPROPERTY_CODE_REQUEST_RESPONSE_INFORMATION: MQTTPropertyCodes = 25;
/// 0x1A, string.
pub const MQTTPROPERTY_CODE_RESPONSE_INFORMATION: MQTTPropertyCodes = 26;
/// 0x1C, string.
pub const MQTTPROPERTY_CODE_SERVER_REFERENCE: MQTTPropertyCodes = 28;
/// 0x1F, string.
pub const MQTTPROPERTY_CODE_REASON_STRING: MQTTPropertyCodes = 31;
/// 0x21, two-byte integer.
pub const MQTTPROPERTY_CODE_RECEIVE_MAXIMUM: MQTTPropertyCodes = 33;
/// 0x22, two-byte integer.
pub const MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM: MQTTPropertyCodes = 34;
/// 0x23, two-byte integer.
pub const MQTTPROPERTY_CODE_TOPIC_ALIAS: MQTTPropertyCodes = 35;
/// 0x24, byte.
pub const MQTTPROPERTY_CODE_MAXIMUM_QOS: MQTTPropertyCodes = 36;
/// 0x25, byte.
pub const MQTTPROPERTY_CODE_RETAIN_AVAILABLE: MQTTPropertyCodes = 37;
/// 0x26, string pair; may repeat.
pub const MQTTPROPERTY_CODE_USER_PROPERTY: MQTTPropertyCodes = 38;
/// 0x27, four-byte integer.
pub const MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE: MQTTPropertyCodes = 39;
/// 0x28, byte.
pub const MQTTPROPERTY_CODE_WILDCARD_SUBSCRIPTION_AVAILABLE: MQTTPropertyCodes = 40;
/// 0x29, byte.
pub const MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIERS_AVAILABLE: MQTTPropertyCodes = 41;
/// 0x2A, byte.
pub const MQTTPROPERTY_CODE_SHARED_SUBSCRIPTION_AVAILABLE: MQTTPropertyCodes = 42;

/// `enum MQTTPropertyTypes`: how a property's value is stored.
pub type MQTTPropertyTypes = c_int;
/// `value.byte`.
pub const MQTTPROPERTY_TYPE_BYTE: MQTTPropertyTypes = 0;
/// `value.integer2`.
pub const MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER: MQTTPropertyTypes = 1;
/// `value.integer4`.
pub const MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER: MQTTPropertyTypes = 2;
/// `value.integer4`, encoded on the wire in 1..4 bytes.
pub const MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER: MQTTPropertyTypes = 3;
/// `value.data`.
pub const MQTTPROPERTY_TYPE_BINARY_DATA: MQTTPropertyTypes = 4;
/// `value.data`, UTF-8.
pub const MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING: MQTTPropertyTypes = 5;
/// `value.data` (name) and `value.value`.
pub const MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR: MQTTPropertyTypes = 6;

/// A counted byte string; `data` is not NUL-terminated by contract (ours always are).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTLenString {
    /// Number of bytes at `data`.
    pub len: c_int,
    /// The bytes.
    pub data: *mut c_char,
}

/// The string members of `MQTTProperty.value` (anonymous in C).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTProperty_value_strings {
    /// Binary data, string, or a user property's name.
    pub data: MQTTLenString,
    /// A user property's value.
    pub value: MQTTLenString,
}

/// `MQTTProperty.value`: which member is live depends on the identifier's type.
#[repr(C)]
#[derive(Clone, Copy)]
pub union MQTTProperty_value {
    /// Byte properties.
    pub byte: c_uchar,
    /// Two-byte integers.
    pub integer2: c_ushort,
    /// Four-byte and variable byte integers.
    pub integer4: c_uint,
    /// Binary, string and string pair (C: `value.data`, `value.value`).
    pub strings: MQTTProperty_value_strings,
}

/// One MQTT 5 property.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MQTTProperty {
    /// Which property.
    pub identifier: MQTTPropertyCodes,
    /// Its value.
    pub value: MQTTProperty_value,
}

/// A growable array of properties, owned by whoever filled it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTProperties {
    /// Entries in use.
    pub count: c_int,
    /// Entries allocated.
    pub max_count: c_int,
    /// Encoded length on the wire, without the length prefix.
    pub length: c_int,
    /// `malloc`ed array of `max_count` entries, or NULL.
    pub array: *mut MQTTProperty,
}

impl MQTTProperties {
    /// `MQTTProperties_initializer`.
    pub const INITIALIZER: Self = Self {
        count: 0,
        max_count: 0,
        length: 0,
        array: null_mut(),
    };
}

// ---------------------------------------------------------------------------------------------
// MQTTReasonCodes.h
// ---------------------------------------------------------------------------------------------

/// `enum MQTTReasonCodes`: an MQTT 5 reason code.
pub type MQTTReasonCodes = c_int;
/// 0x00.
pub const MQTTREASONCODE_SUCCESS: MQTTReasonCodes = 0;
/// 0x00 in DISCONNECT.
pub const MQTTREASONCODE_NORMAL_DISCONNECTION: MQTTReasonCodes = 0;
/// 0x00 in SUBACK.
pub const MQTTREASONCODE_GRANTED_QOS_0: MQTTReasonCodes = 0;
/// 0x01.
pub const MQTTREASONCODE_GRANTED_QOS_1: MQTTReasonCodes = 1;
/// 0x02.
pub const MQTTREASONCODE_GRANTED_QOS_2: MQTTReasonCodes = 2;
/// 0x04.
pub const MQTTREASONCODE_DISCONNECT_WITH_WILL_MESSAGE: MQTTReasonCodes = 4;
/// 0x10.
pub const MQTTREASONCODE_NO_MATCHING_SUBSCRIBERS: MQTTReasonCodes = 16;
/// 0x11.
pub const MQTTREASONCODE_NO_SUBSCRIPTION_FOUND: MQTTReasonCodes = 17;
/// 0x18.
pub const MQTTREASONCODE_CONTINUE_AUTHENTICATION: MQTTReasonCodes = 24;
/// 0x19.
pub const MQTTREASONCODE_RE_AUTHENTICATE: MQTTReasonCodes = 25;
/// 0x80.
pub const MQTTREASONCODE_UNSPECIFIED_ERROR: MQTTReasonCodes = 128;
/// 0x81.
pub const MQTTREASONCODE_MALFORMED_PACKET: MQTTReasonCodes = 129;
/// 0x82.
pub const MQTTREASONCODE_PROTOCOL_ERROR: MQTTReasonCodes = 130;
/// 0x83.
pub const MQTTREASONCODE_IMPLEMENTATION_SPECIFIC_ERROR: MQTTReasonCodes = 131;
/// 0x84.
pub const MQTTREASONCODE_UNSUPPORTED_PROTOCOL_VERSION: MQTTReasonCodes = 132;
/// 0x85.
pub const MQTTREASONCODE_CLIENT_IDENTIFIER_NOT_VALID: MQTTReasonCodes = 133;
/// 0x86.
pub const MQTTREASONCODE_BAD_USER_NAME_OR_PASSWORD: MQTTReasonCodes = 134;
/// 0x87.
pub const MQTTREASONCODE_NOT_AUTHORIZED: MQTTReasonCodes = 135;
/// 0x88.
pub const MQTTREASONCODE_SERVER_UNAVAILABLE: MQTTReasonCodes = 136;
/// 0x89.
pub const MQTTREASONCODE_SERVER_BUSY: MQTTReasonCodes = 137;
/// 0x8A.
pub const MQTTREASONCODE_BANNED: MQTTReasonCodes = 138;
/// 0x8B.
pub const MQTTREASONCODE_SERVER_SHUTTING_DOWN: MQTTReasonCodes = 139;
/// 0x8C.
pub const MQTTREASONCODE_BAD_AUTHENTICATION_METHOD: MQTTReasonCodes = 140;
/// 0x8D.
pub const MQTTREASONCODE_KEEP_ALIVE_TIMEOUT: MQTTReasonCodes = 141;
/// 0x8E.
pub const MQTTREASONCODE_SESSION_TAKEN_OVER: MQTTReasonCodes = 142;
/// 0x8F.
pub const MQTTREASONCODE_TOPIC_FILTER_INVALID: MQTTReasonCodes = 143;
/// 0x90.
pub const MQTTREASONCODE_TOPIC_NAME_INVALID: MQTTReasonCodes = 144;
/// 0x91.
pub const MQTTREASONCODE_PACKET_IDENTIFIER_IN_USE: MQTTReasonCodes = 145;
/// 0x92.
pub const MQTTREASONCODE_PACKET_IDENTIFIER_NOT_FOUND: MQTTReasonCodes = 146;
/// 0x93.
pub const MQTTREASONCODE_RECEIVE_MAXIMUM_EXCEEDED: MQTTReasonCodes = 147;
/// 0x94.
pub const MQTTREASONCODE_TOPIC_ALIAS_INVALID: MQTTReasonCodes = 148;
/// 0x95.
pub const MQTTREASONCODE_PACKET_TOO_LARGE: MQTTReasonCodes = 149;
/// 0x96.
pub const MQTTREASONCODE_MESSAGE_RATE_TOO_HIGH: MQTTReasonCodes = 150;
/// 0x97.
pub const MQTTREASONCODE_QUOTA_EXCEEDED: MQTTReasonCodes = 151;
/// 0x98.
pub const MQTTREASONCODE_ADMINISTRATIVE_ACTION: MQTTReasonCodes = 152;
/// 0x99.
pub const MQTTREASONCODE_PAYLOAD_FORMAT_INVALID: MQTTReasonCodes = 153;
/// 0x9A.
pub const MQTTREASONCODE_RETAIN_NOT_SUPPORTED: MQTTReasonCodes = 154;
/// 0x9B.
pub const MQTTREASONCODE_QOS_NOT_SUPPORTED: MQTTReasonCodes = 155;
/// 0x9C.
pub const MQTTREASONCODE_USE_ANOTHER_SERVER: MQTTReasonCodes = 156;
/// 0x9D.
pub const MQTTREASONCODE_SERVER_MOVED: MQTTReasonCodes = 157;
/// 0x9E.
pub const MQTTREASONCODE_SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: MQTTReasonCodes = 158;
/// 0x9F.
pub const MQTTREASONCODE_CONNECTION_RATE_EXCEEDED: MQTTReasonCodes = 159;
/// 0xA0.
pub const MQTTREASONCODE_MAXIMUM_CONNECT_TIME: MQTTReasonCodes = 160;
/// 0xA1.
pub const MQTTREASONCODE_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED: MQTTReasonCodes = 161;
/// 0xA2.
pub const MQTTREASONCODE_WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED: MQTTReasonCodes = 162;

// ---------------------------------------------------------------------------------------------
// MQTTSubscribeOpts.h
// ---------------------------------------------------------------------------------------------

/// MQTT 5 per-subscription options.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTSubscribe_options {
    /// `MQSO`.
    pub struct_id: [c_char; 4],
    /// 0.
    pub struct_version: c_int,
    /// Do not send our own publications back to us.
    pub noLocal: c_uchar,
    /// Keep the retain flag as the publisher set it.
    pub retainAsPublished: c_uchar,
    /// 0 send retained on subscribe, 1 only for new subscriptions, 2 never.
    pub retainHandling: c_uchar,
}

impl MQTTSubscribe_options {
    /// `MQTTSubscribe_options_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: SUBSCRIBE_OPTIONS_ID,
        struct_version: 0,
        noLocal: 0,
        retainAsPublished: 0,
        retainHandling: 0,
    };
}

// ---------------------------------------------------------------------------------------------
// MQTTClientPersistence.h
// ---------------------------------------------------------------------------------------------

/// Opens the store for one client; sets `*handle`.
pub type Persistence_open = Option<
    unsafe extern "C" fn(
        handle: *mut *mut c_void,
        clientID: *const c_char,
        serverURI: *const c_char,
        context: *mut c_void,
    ) -> c_int,
>;
/// Closes the store.
pub type Persistence_close = Option<unsafe extern "C" fn(handle: *mut c_void) -> c_int>;
/// Stores the concatenation of `bufcount` buffers under `key`.
pub type Persistence_put = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        key: *mut c_char,
        bufcount: c_int,
        buffers: *mut *mut c_char,
        buflens: *mut c_int,
    ) -> c_int,
>;
/// Fetches the value under `key` into a `malloc`ed buffer.
pub type Persistence_get = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        key: *mut c_char,
        buffer: *mut *mut c_char,
        buflen: *mut c_int,
    ) -> c_int,
>;
/// Deletes `key`.
pub type Persistence_remove =
    Option<unsafe extern "C" fn(handle: *mut c_void, key: *mut c_char) -> c_int>;
/// Lists every key in a `malloc`ed array of `malloc`ed strings.
pub type Persistence_keys = Option<
    unsafe extern "C" fn(
        handle: *mut c_void,
        keys: *mut *mut *mut c_char,
        nkeys: *mut c_int,
    ) -> c_int,
>;
/// Deletes every key.
pub type Persistence_clear = Option<unsafe extern "C" fn(handle: *mut c_void) -> c_int>;
/// 0 if `key` is present.
pub type Persistence_containskey =
    Option<unsafe extern "C" fn(handle: *mut c_void, key: *mut c_char) -> c_int>;

/// A user-supplied store, passed as `persistence_context` with `MQTTCLIENT_PERSISTENCE_USER`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_persistence {
    /// Passed to `popen`.
    pub context: *mut c_void,
    /// Open.
    pub popen: Persistence_open,
    /// Close.
    pub pclose: Persistence_close,
    /// Put.
    pub pput: Persistence_put,
    /// Get.
    pub pget: Persistence_get,
    /// Remove.
    pub premove: Persistence_remove,
    /// List keys.
    pub pkeys: Persistence_keys,
    /// Clear.
    pub pclear: Persistence_clear,
    /// Contains key.
    pub pcontainskey: Persistence_containskey,
}

/// Transforms buffers just before they are persisted (e.g. to encrypt them).
pub type MQTTPersistence_beforeWrite = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        bufcount: c_int,
        buffers: *mut *mut c_char,
        buflens: *mut c_int,
    ) -> c_int,
>;
/// Transforms a buffer just after it is read back.
pub type MQTTPersistence_afterRead = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        buffer: *mut *mut c_char,
        buflen: *mut c_int,
    ) -> c_int,
>;

// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

/// `{ int len; const void* data; }`, the anonymous binary blob used by will payloads and
/// binary passwords.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTBinary {
    /// Byte count.
    pub len: c_int,
    /// The bytes, or NULL.
    pub data: *const c_void,
}

/// TLS error callback: gets each OpenSSL error line.
pub type MQTT_ssl_error_cb =
    Option<unsafe extern "C" fn(str_: *const c_char, len: usize, u: *mut c_void) -> c_int>;
/// TLS-PSK callback: fills identity and key, returns the key length.
pub type MQTT_ssl_psk_cb = Option<
    unsafe extern "C" fn(
        hint: *const c_char,
        identity: *mut c_char,
        max_identity_len: c_uint,
        psk: *mut c_uchar,
        max_psk_len: c_uint,
        u: *mut c_void,
    ) -> c_uint,
>;

// ---------------------------------------------------------------------------------------------
// MQTTClient.h structs and callbacks
// ---------------------------------------------------------------------------------------------

/// Handle of a synchronous client.
pub type MQTTClient = *mut c_void;
/// Token of a QoS>0 publish.
pub type MQTTClient_deliveryToken = c_int;
/// Same as a delivery token.
pub type MQTTClient_token = c_int;

/// Process-wide initialisation options.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_init_options {
    /// `MQTG`.
    pub struct_id: [c_char; 4],
    /// 0.
    pub struct_version: c_int,
    /// Nonzero: the library initialises OpenSSL itself.
    pub do_openssl_init: c_int,
}

/// A message, sent or received.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_message {
    /// `MQTM`.
    pub struct_id: [c_char; 4],
    /// 0 or 1 (1 adds `properties`).
    pub struct_version: c_int,
    /// Bytes at `payload`.
    pub payloadlen: c_int,
    /// The payload.
    pub payload: *mut c_void,
    /// QoS.
    pub qos: c_int,
    /// Retain flag.
    pub retained: c_int,
    /// Set on received redeliveries.
    pub dup: c_int,
    /// Packet identifier (received messages).
    pub msgid: c_int,
    /// MQTT 5 properties.
    pub properties: MQTTProperties,
}

/// Called for each received message; return nonzero once the message is consumed.
pub type MQTTClient_messageArrived = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        topicName: *mut c_char,
        topicLen: c_int,
        message: *mut MQTTClient_message,
    ) -> c_int,
>;
/// Called when a QoS>0 publish completes.
pub type MQTTClient_deliveryComplete =
    Option<unsafe extern "C" fn(context: *mut c_void, dt: MQTTClient_deliveryToken)>;
/// Called when the connection drops unexpectedly.
pub type MQTTClient_connectionLost =
    Option<unsafe extern "C" fn(context: *mut c_void, cause: *mut c_char)>;
/// Called when the server sends an MQTT 5 DISCONNECT.
pub type MQTTClient_disconnected = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        properties: *mut MQTTProperties,
        reasonCode: MQTTReasonCodes,
    ),
>;
/// Called for each publish acknowledgement (MQTT 5 detail).
pub type MQTTClient_published = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        dt: c_int,
        packet_type: c_int,
        properties: *mut MQTTProperties,
        reasonCode: MQTTReasonCodes,
    ),
>;

/// Options for MQTTClient_createWithOptions.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_createOptions {
    /// `MQCO`.
    pub struct_id: [c_char; 4],
    /// 0.
    pub struct_version: c_int,
    /// MQTT version the client will use.
    pub MQTTVersion: c_int,
}

/// Last will and testament.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_willOptions {
    /// `MQTW`.
    pub struct_id: [c_char; 4],
    /// 0 or 1 (1 adds `payload`).
    pub struct_version: c_int,
    /// Will topic.
    pub topicName: *const c_char,
    /// Will text, used when `payload.data` is NULL.
    pub message: *const c_char,
    /// Retain flag.
    pub retained: c_int,
    /// QoS.
    pub qos: c_int,
    /// Binary will payload.
    pub payload: MQTTBinary,
}

/// TLS settings.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_SSLOptions {
    /// `MQTS`.
    pub struct_id: [c_char; 4],
    /// 0..=5.
    pub struct_version: c_int,
    /// PEM file of trusted CA certificates.
    pub trustStore: *const c_char,
    /// PEM file with our certificate chain (and maybe key).
    pub keyStore: *const c_char,
    /// PEM file with our private key.
    pub privateKey: *const c_char,
    /// Passphrase for the private key.
    pub privateKeyPassword: *const c_char,
    /// OpenSSL cipher list.
    pub enabledCipherSuites: *const c_char,
    /// Verify the server's certificate.
    pub enableServerCertAuth: c_int,
    /// MQTT_SSL_VERSION_* (version >= 1).
    pub sslVersion: c_int,
    /// Check the host name against the certificate (version >= 2).
    pub verify: c_int,
    /// Directory of CA certificates (version >= 2).
    pub CApath: *const c_char,
    /// OpenSSL error sink (version >= 3).
    pub ssl_error_cb: MQTT_ssl_error_cb,
    /// Context for `ssl_error_cb`.
    pub ssl_error_context: *mut c_void,
    /// TLS-PSK callback (version >= 4).
    pub ssl_psk_cb: MQTT_ssl_psk_cb,
    /// Context for `ssl_psk_cb`.
    pub ssl_psk_context: *mut c_void,
    /// Do not load the system CA store (version >= 4).
    pub disableDefaultTrustStore: c_int,
    /// ALPN protocol list in wire format (version >= 5).
    pub protos: *const c_uchar,
    /// Bytes at `protos`.
    pub protos_len: c_uint,
}

/// A name and value pair (version info, HTTP headers).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_nameValue {
    /// Name.
    pub name: *const c_char,
    /// Value.
    pub value: *const c_char,
}

/// What the server granted at connect, written back into `MQTTClient_connectOptions`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_connectOptions_returned {
    /// The URI actually connected to.
    pub serverURI: *const c_char,
    /// The MQTT version in use.
    pub MQTTVersion: c_int,
    /// The server's session-present flag.
    pub sessionPresent: c_int,
}

/// Connect settings of the synchronous client.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTClient_connectOptions {
    /// `MQTC`.
    pub struct_id: [c_char; 4],
    /// 0..=8.
    pub struct_version: c_int,
    /// Seconds; 0 turns keepalive off.
    pub keepAliveInterval: c_int,
    /// Clean session (3.x).
    pub cleansession: c_int,
    /// Nonzero: one publish in flight at a time.
    pub reliable: c_int,
    /// Will, or NULL.
    pub will: *mut MQTTClient_willOptions,
    /// User name, or NULL.
    pub username: *const c_char,
    /// Text password, or NULL.
    pub password: *const c_char,
    /// Seconds to wait for the connection.
    pub connectTimeout: c_int,
    /// Seconds between resends of unacknowledged messages.
    pub retryInterval: c_int,
    /// TLS settings, or NULL (version >= 1).
    pub ssl: *mut MQTTClient_SSLOptions,
    /// Entries in `serverURIs` (version >= 2).
    pub serverURIcount: c_int,
    /// URIs to try in order, overriding the one given at create.
    pub serverURIs: *const *mut c_char,
    /// MQTT version (version >= 3).
    pub MQTTVersion: c_int,
    /// Filled on success (version >= 4).
    pub returned: MQTTClient_connectOptions_returned,
    /// Binary password, used when `password` is NULL (version >= 5).
    pub binarypwd: MQTTBinary,
    /// Publish window; -1 leaves the default (version >= 6).
    pub maxInflightMessages: c_int,
    /// Clean start (MQTT 5, version >= 6).
    pub cleanstart: c_int,
    /// Extra HTTP headers for websockets, NULL-terminated (version >= 7).
    pub httpHeaders: *const MQTTClient_nameValue,
    /// HTTP proxy URI (version >= 8).
    pub httpProxy: *const c_char,
    /// HTTPS proxy URI (version >= 8).
    pub httpsProxy: *const c_char,
}

/// Result of the MQTT 5 synchronous calls.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTResponse {
    /// 1.
    pub version: c_int,
    /// The (first) reason code, or a negative MQTTCLIENT_* error.
    pub reasonCode: MQTTReasonCodes,
    /// Entries in `reasonCodes` (subscribeMany5 / unsubscribeMany5).
    pub reasonCodeCount: c_int,
    /// `malloc`ed codes, or NULL.
    pub reasonCodes: *mut MQTTReasonCodes,
    /// `malloc`ed properties, or NULL.
    pub properties: *mut MQTTProperties,
}

impl MQTTResponse {
    /// `MQTTResponse_initializer`.
    pub const INITIALIZER: Self = Self {
        version: RESPONSE_VERSION,
        reasonCode: MQTTREASONCODE_SUCCESS,
        reasonCodeCount: 0,
        reasonCodes: null_mut(),
        properties: null_mut(),
    };
}

impl crate::trace::Returned for MQTTResponse {
    fn shown(&self) -> String {
        format!(
            " reason code {} ({} codes)",
            self.reasonCode as c_int, self.reasonCodeCount
        )
    }
}

/// `enum MQTTCLIENT_TRACE_LEVELS`.
pub type MQTTCLIENT_TRACE_LEVELS = c_int;
/// Everything.
pub const MQTTCLIENT_TRACE_MAXIMUM: MQTTCLIENT_TRACE_LEVELS = 1;
/// Detailed.
pub const MQTTCLIENT_TRACE_MEDIUM: MQTTCLIENT_TRACE_LEVELS = 2;
/// Main events.
pub const MQTTCLIENT_TRACE_MINIMUM: MQTTCLIENT_TRACE_LEVELS = 3;
/// Packets sent and received.
pub const MQTTCLIENT_TRACE_PROTOCOL: MQTTCLIENT_TRACE_LEVELS = 4;
/// Errors.
pub const MQTTCLIENT_TRACE_ERROR: MQTTCLIENT_TRACE_LEVELS = 5;
/// Severe errors.
pub const MQTTCLIENT_TRACE_SEVERE: MQTTCLIENT_TRACE_LEVELS = 6;
/// Fatal errors.
pub const MQTTCLIENT_TRACE_FATAL: MQTTCLIENT_TRACE_LEVELS = 7;
/// Receives each trace line.
pub type MQTTClient_traceCallback =
    Option<unsafe extern "C" fn(level: MQTTCLIENT_TRACE_LEVELS, message: *mut c_char)>;

// ---------------------------------------------------------------------------------------------
// MQTTAsync.h structs and callbacks
// ---------------------------------------------------------------------------------------------

/// Handle of an asynchronous client.
pub type MQTTAsync = *mut c_void;
/// Identifies one request.
pub type MQTTAsync_token = c_int;

/// Process-wide initialisation options.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_init_options {
    /// `MQTG`.
    pub struct_id: [c_char; 4],
    /// 0.
    pub struct_version: c_int,
    /// Nonzero: the library initialises OpenSSL itself.
    pub do_openssl_init: c_int,
}

/// A message, sent or received.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_message {
    /// `MQTM`.
    pub struct_id: [c_char; 4],
    /// 0 or 1.
    pub struct_version: c_int,
    /// Bytes at `payload`.
    pub payloadlen: c_int,
    /// The payload.
    pub payload: *mut c_void,
    /// QoS.
    pub qos: c_int,
    /// Retain flag.
    pub retained: c_int,
    /// Set on redeliveries.
    pub dup: c_int,
    /// Packet identifier.
    pub msgid: c_int,
    /// MQTT 5 properties.
    pub properties: MQTTProperties,
}

/// Called for each received message; return nonzero once consumed.
pub type MQTTAsync_messageArrived = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        topicName: *mut c_char,
        topicLen: c_int,
        message: *mut MQTTAsync_message,
    ) -> c_int,
>;
/// Called when a QoS>0 publish completes.
pub type MQTTAsync_deliveryComplete =
    Option<unsafe extern "C" fn(context: *mut c_void, token: MQTTAsync_token)>;
/// Called when the connection drops unexpectedly.
pub type MQTTAsync_connectionLost =
    Option<unsafe extern "C" fn(context: *mut c_void, cause: *mut c_char)>;
/// Called after every successful connect, including automatic reconnects.
pub type MQTTAsync_connected =
    Option<unsafe extern "C" fn(context: *mut c_void, cause: *mut c_char)>;
/// Called when the server sends an MQTT 5 DISCONNECT.
pub type MQTTAsync_disconnected = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        properties: *mut MQTTProperties,
        reasonCode: MQTTReasonCodes,
    ),
>;

/// Credentials the application may change before each reconnect.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_connectData {
    /// `MQCD`.
    pub struct_id: [c_char; 4],
    /// 0.
    pub struct_version: c_int,
    /// User name.
    pub username: *const c_char,
    /// Binary password.
    pub binarypwd: MQTTBinary,
}

/// Lets the application update `data` before a reconnect; nonzero to use the changes.
pub type MQTTAsync_updateConnectOptions =
    Option<unsafe extern "C" fn(context: *mut c_void, data: *mut MQTTAsync_connectData) -> c_int>;

/// Failure report of a 3.x request.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_failureData {
    /// The failed request.
    pub token: MQTTAsync_token,
    /// MQTTASYNC_* error, or the server's code.
    pub code: c_int,
    /// Explanation, or NULL.
    pub message: *const c_char,
}

/// Failure report of an MQTT 5 request.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_failureData5 {
    /// `MQFD`.
    pub struct_id: [c_char; 4],
    /// 0.
    pub struct_version: c_int,
    /// The failed request.
    pub token: MQTTAsync_token,
    /// The server's reason code.
    pub reasonCode: MQTTReasonCodes,
    /// The server's properties.
    pub properties: MQTTProperties,
    /// MQTTASYNC_* error.
    pub code: c_int,
    /// Explanation, or NULL.
    pub message: *const c_char,
    /// Packet type of the reply that failed it.
    pub packet_type: c_int,
}

/// The `pub` member of the success unions: the message that was sent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_successData_pub {
    /// The message.
    pub message: MQTTAsync_message,
    /// Its topic.
    pub destinationName: *mut c_char,
}

/// The `connect` member of the success unions.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_successData_connect {
    /// The URI connected to.
    pub serverURI: *mut c_char,
    /// MQTT version in use.
    pub MQTTVersion: c_int,
    /// Session-present flag.
    pub sessionPresent: c_int,
}

/// `MQTTAsync_successData.alt`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union MQTTAsync_successData_alt {
    /// Granted QoS of a single subscribe.
    pub qos: c_int,
    /// Granted QoS list of subscribeMany.
    pub qosList: *mut c_int,
    /// A completed publish.
    pub pub_: MQTTAsync_successData_pub,
    /// A completed connect.
    pub connect: MQTTAsync_successData_connect,
}

/// Success report of a 3.x request.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MQTTAsync_successData {
    /// The request.
    pub token: MQTTAsync_token,
    /// Details by request kind.
    pub alt: MQTTAsync_successData_alt,
}

/// The `sub` and `unsub` members of `MQTTAsync_successData5.alt`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_successData5_codes {
    /// Entries in `reasonCodes`.
    pub reasonCodeCount: c_int,
    /// One code per filter.
    pub reasonCodes: *mut MQTTReasonCodes,
}

/// `MQTTAsync_successData5.alt`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union MQTTAsync_successData5_alt {
    /// Subscribe result codes.
    pub sub: MQTTAsync_successData5_codes,
    /// A completed publish.
    pub pub_: MQTTAsync_successData_pub,
    /// A completed connect.
    pub connect: MQTTAsync_successData_connect,
    /// Unsubscribe result codes.
    pub unsub: MQTTAsync_successData5_codes,
}

/// Success report of an MQTT 5 request.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MQTTAsync_successData5 {
    /// `MQSD`.
    pub struct_id: [c_char; 4],
    /// 0.
    pub struct_version: c_int,
    /// The request.
    pub token: MQTTAsync_token,
    /// The server's reason code.
    pub reasonCode: MQTTReasonCodes,
    /// The server's properties.
    pub properties: MQTTProperties,
    /// Details by request kind.
    pub alt: MQTTAsync_successData5_alt,
}

/// 3.x success callback.
pub type MQTTAsync_onSuccess =
    Option<unsafe extern "C" fn(context: *mut c_void, response: *mut MQTTAsync_successData)>;
/// MQTT 5 success callback.
pub type MQTTAsync_onSuccess5 =
    Option<unsafe extern "C" fn(context: *mut c_void, response: *mut MQTTAsync_successData5)>;
/// 3.x failure callback.
pub type MQTTAsync_onFailure =
    Option<unsafe extern "C" fn(context: *mut c_void, response: *mut MQTTAsync_failureData)>;
/// MQTT 5 failure callback.
pub type MQTTAsync_onFailure5 =
    Option<unsafe extern "C" fn(context: *mut c_void, response: *mut MQTTAsync_failureData5)>;

/// Per-request callbacks and MQTT 5 options.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_responseOptions {
    /// `MQTR`.
    pub struct_id: [c_char; 4],
    /// 0 or 1 (1 adds the MQTT 5 fields).
    pub struct_version: c_int,
    /// 3.x success callback.
    pub onSuccess: MQTTAsync_onSuccess,
    /// 3.x failure callback.
    pub onFailure: MQTTAsync_onFailure,
    /// Passed to the callbacks.
    pub context: *mut c_void,
    /// Set by the library to the request's token.
    pub token: MQTTAsync_token,
    /// MQTT 5 success callback.
    pub onSuccess5: MQTTAsync_onSuccess5,
    /// MQTT 5 failure callback.
    pub onFailure5: MQTTAsync_onFailure5,
    /// Properties to send.
    pub properties: MQTTProperties,
    /// Options of a single subscribe.
    pub subscribeOptions: MQTTSubscribe_options,
    /// Entries in `subscribeOptionsList`.
    pub subscribeOptionsCount: c_int,
    /// Options per filter of subscribeMany.
    pub subscribeOptionsList: *mut MQTTSubscribe_options,
}

/// Same struct, the name used for send/subscribe calls.
pub type MQTTAsync_callOptions = MQTTAsync_responseOptions;

/// Options for MQTTAsync_createWithOptions.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_createOptions {
    /// `MQCO`.
    pub struct_id: [c_char; 4],
    /// 0..=2.
    pub struct_version: c_int,
    /// Accept publishes while disconnected.
    pub sendWhileDisconnected: c_int,
    /// Size of the offline buffer.
    pub maxBufferedMessages: c_int,
    /// MQTT version (version >= 1).
    pub MQTTVersion: c_int,
    /// Buffer even before the first connect (version >= 2).
    pub allowDisconnectedSendAtAnyTime: c_int,
    /// Drop the oldest when the buffer is full (version >= 2).
    pub deleteOldestMessages: c_int,
    /// Restore persisted messages at create (version >= 2).
    pub restoreMessages: c_int,
    /// Persist QoS 0 messages too (version >= 2).
    pub persistQoS0: c_int,
}

/// Last will and testament.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_willOptions {
    /// `MQTW`.
    pub struct_id: [c_char; 4],
    /// 0 or 1.
    pub struct_version: c_int,
    /// Will topic.
    pub topicName: *const c_char,
    /// Will text, used when `payload.data` is NULL.
    pub message: *const c_char,
    /// Retain flag.
    pub retained: c_int,
    /// QoS.
    pub qos: c_int,
    /// Binary will payload.
    pub payload: MQTTBinary,
}

/// TLS settings; same layout as `MQTTClient_SSLOptions`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_SSLOptions {
    /// `MQTS`.
    pub struct_id: [c_char; 4],
    /// 0..=5.
    pub struct_version: c_int,
    /// PEM file of trusted CA certificates.
    pub trustStore: *const c_char,
    /// PEM file with our certificate chain.
    pub keyStore: *const c_char,
    /// PEM file with our private key.
    pub privateKey: *const c_char,
    /// Passphrase for the private key.
    pub privateKeyPassword: *const c_char,
    /// OpenSSL cipher list.
    pub enabledCipherSuites: *const c_char,
    /// Verify the server's certificate.
    pub enableServerCertAuth: c_int,
    /// MQTT_SSL_VERSION_*.
    pub sslVersion: c_int,
    /// Check the host name.
    pub verify: c_int,
    /// Directory of CA certificates.
    pub CApath: *const c_char,
    /// OpenSSL error sink.
    pub ssl_error_cb: MQTT_ssl_error_cb,
    /// Context for `ssl_error_cb`.
    pub ssl_error_context: *mut c_void,
    /// TLS-PSK callback.
    pub ssl_psk_cb: MQTT_ssl_psk_cb,
    /// Context for `ssl_psk_cb`.
    pub ssl_psk_context: *mut c_void,
    /// Do not load the system CA store.
    pub disableDefaultTrustStore: c_int,
    /// ALPN protocol list in wire format.
    pub protos: *const c_uchar,
    /// Bytes at `protos`.
    pub protos_len: c_uint,
}

/// A name and value pair.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_nameValue {
    /// Name.
    pub name: *const c_char,
    /// Value.
    pub value: *const c_char,
}

/// Connect settings of the asynchronous client.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_connectOptions {
    /// `MQTC`.
    pub struct_id: [c_char; 4],
    /// 0..=8.
    pub struct_version: c_int,
    /// Seconds; 0 turns keepalive off.
    pub keepAliveInterval: c_int,
    /// Clean session (3.x).
    pub cleansession: c_int,
    /// Publish window.
    pub maxInflight: c_int,
    /// Will, or NULL.
    pub will: *mut MQTTAsync_willOptions,
    /// User name.
    pub username: *const c_char,
    /// Text password.
    pub password: *const c_char,
    /// Seconds to wait for the connection.
    pub connectTimeout: c_int,
    /// Seconds between resends.
    pub retryInterval: c_int,
    /// TLS settings, or NULL (version >= 1).
    pub ssl: *mut MQTTAsync_SSLOptions,
    /// 3.x success callback.
    pub onSuccess: MQTTAsync_onSuccess,
    /// 3.x failure callback.
    pub onFailure: MQTTAsync_onFailure,
    /// Passed to the callbacks.
    pub context: *mut c_void,
    /// Entries in `serverURIs` (version >= 2).
    pub serverURIcount: c_int,
    /// URIs to try in order.
    pub serverURIs: *const *mut c_char,
    /// MQTT version (version >= 3).
    pub MQTTVersion: c_int,
    /// Reconnect by itself after a loss (version >= 4).
    pub automaticReconnect: c_int,
    /// First reconnect delay, seconds.
    pub minRetryInterval: c_int,
    /// Longest reconnect delay, seconds.
    pub maxRetryInterval: c_int,
    /// Binary password (version >= 5).
    pub binarypwd: MQTTBinary,
    /// Clean start (MQTT 5, version >= 6).
    pub cleanstart: c_int,
    /// CONNECT properties.
    pub connectProperties: *mut MQTTProperties,
    /// Will properties.
    pub willProperties: *mut MQTTProperties,
    /// MQTT 5 success callback.
    pub onSuccess5: MQTTAsync_onSuccess5,
    /// MQTT 5 failure callback.
    pub onFailure5: MQTTAsync_onFailure5,
    /// Extra HTTP headers for websockets (version >= 7).
    pub httpHeaders: *const MQTTAsync_nameValue,
    /// HTTP proxy URI (version >= 8).
    pub httpProxy: *const c_char,
    /// HTTPS proxy URI (version >= 8).
    pub httpsProxy: *const c_char,
}

/// Disconnect settings of the asynchronous client.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MQTTAsync_disconnectOptions {
    /// `MQTD`.
    pub struct_id: [c_char; 4],
    /// 0 or 1 (1 adds the MQTT 5 fields).
    pub struct_version: c_int,
    /// Milliseconds to let in-flight work finish.
    pub timeout: c_int,
    /// 3.x success callback.
    pub onSuccess: MQTTAsync_onSuccess,
    /// 3.x failure callback.
    pub onFailure: MQTTAsync_onFailure,
    /// Passed to the callbacks.
    pub context: *mut c_void,
    /// DISCONNECT properties.
    pub properties: MQTTProperties,
    /// DISCONNECT reason code.
    pub reasonCode: MQTTReasonCodes,
    /// MQTT 5 success callback.
    pub onSuccess5: MQTTAsync_onSuccess5,
    /// MQTT 5 failure callback.
    pub onFailure5: MQTTAsync_onFailure5,
}

/// `enum MQTTASYNC_TRACE_LEVELS`.
pub type MQTTASYNC_TRACE_LEVELS = c_int;
/// Everything.
pub const MQTTASYNC_TRACE_MAXIMUM: MQTTASYNC_TRACE_LEVELS = 1;
/// Detailed.
pub const MQTTASYNC_TRACE_MEDIUM: MQTTASYNC_TRACE_LEVELS = 2;
/// Main events.
pub const MQTTASYNC_TRACE_MINIMUM: MQTTASYNC_TRACE_LEVELS = 3;
/// Packets sent and received.
pub const MQTTASYNC_TRACE_PROTOCOL: MQTTASYNC_TRACE_LEVELS = 4;
/// Errors.
pub const MQTTASYNC_TRACE_ERROR: MQTTASYNC_TRACE_LEVELS = 5;
/// Severe errors.
pub const MQTTASYNC_TRACE_SEVERE: MQTTASYNC_TRACE_LEVELS = 6;
/// Fatal errors.
pub const MQTTASYNC_TRACE_FATAL: MQTTASYNC_TRACE_LEVELS = 7;
/// Receives each trace line.
pub type MQTTAsync_traceCallback =
    Option<unsafe extern "C" fn(level: MQTTASYNC_TRACE_LEVELS, message: *mut c_char)>;

// ---------------------------------------------------------------------------------------------
// The header's `*_initializer` macros as Rust constants
// ---------------------------------------------------------------------------------------------

const NO_BINARY: MQTTBinary = MQTTBinary {
    len: 0,
    data: null(),
};

impl MQTTClient_init_options {
    /// `MQTTClient_init_options_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: INIT_OPTIONS_ID,
        struct_version: 0,
        do_openssl_init: 0,
    };
}

impl MQTTAsync_init_options {
    /// `MQTTAsync_init_options_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: INIT_OPTIONS_ID,
        struct_version: 0,
        do_openssl_init: 0,
    };
}

impl MQTTClient_message {
    /// `MQTTClient_message_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: MESSAGE_ID,
        struct_version: 1,
        payloadlen: 0,
        payload: null_mut(),
        qos: 0,
        retained: 0,
        dup: 0,
        msgid: 0,
        properties: MQTTProperties::INITIALIZER,
    };
}

impl MQTTAsync_message {
    /// `MQTTAsync_message_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: MESSAGE_ID,
        struct_version: 1,
        payloadlen: 0,
        payload: null_mut(),
        qos: 0,
        retained: 0,
        dup: 0,
        msgid: 0,
        properties: MQTTProperties::INITIALIZER,
    };
}

impl MQTTClient_createOptions {
    /// `MQTTClient_createOptions_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: CREATE_OPTIONS_ID,
        struct_version: 0,
        MQTTVersion: MQTTVERSION_DEFAULT,
    };
}

impl MQTTAsync_createOptions {
    /// `MQTTAsync_createOptions_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: CREATE_OPTIONS_ID,
        struct_version: 2,
        sendWhileDisconnected: 0,
        maxBufferedMessages: 100,
        MQTTVersion: MQTTVERSION_DEFAULT,
        allowDisconnectedSendAtAnyTime: 0,
        deleteOldestMessages: 0,
        restoreMessages: 1,
        persistQoS0: 1,
    };
    /// `MQTTAsync_createOptions_initializer5`.
    pub const INITIALIZER5: Self = Self {
        MQTTVersion: MQTTVERSION_5,
        ..Self::INITIALIZER
    };
}

impl MQTTClient_willOptions {
    /// `MQTTClient_willOptions_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: WILL_OPTIONS_ID,
        struct_version: 1,
        topicName: null(),
        message: null(),
        retained: 0,
        qos: 0,
        payload: NO_BINARY,
    };
}

impl MQTTAsync_willOptions {
    /// `MQTTAsync_willOptions_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: WILL_OPTIONS_ID,
        struct_version: 1,
        topicName: null(),
        message: null(),
        retained: 0,
        qos: 0,
        payload: NO_BINARY,
    };
}

impl MQTTClient_SSLOptions {
    /// `MQTTClient_SSLOptions_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: SSL_OPTIONS_ID,
        struct_version: 5,
        trustStore: null(),
        keyStore: null(),
        privateKey: null(),
        privateKeyPassword: null(),
        enabledCipherSuites: null(),
        enableServerCertAuth: 1,
        sslVersion: MQTT_SSL_VERSION_DEFAULT,
        verify: 0,
        CApath: null(),
        ssl_error_cb: None,
        ssl_error_context: null_mut(),
        ssl_psk_cb: None,
        ssl_psk_context: null_mut(),
        disableDefaultTrustStore: 0,
        protos: null(),
        protos_len: 0,
    };
}

impl MQTTAsync_SSLOptions {
    /// `MQTTAsync_SSLOptions_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: SSL_OPTIONS_ID,
        struct_version: 5,
        trustStore: null(),
        keyStore: null(),
        privateKey: null(),
        privateKeyPassword: null(),
        enabledCipherSuites: null(),
        enableServerCertAuth: 1,
        sslVersion: MQTT_SSL_VERSION_DEFAULT,
        verify: 0,
        CApath: null(),
        ssl_error_cb: None,
        ssl_error_context: null_mut(),
        ssl_psk_cb: None,
        ssl_psk_context: null_mut(),
        disableDefaultTrustStore: 0,
        protos: null(),
        protos_len: 0,
    };
}

impl MQTTClient_connectOptions {
    /// `MQTTClient_connectOptions_initializer`: MQTT 3.x over TCP.
    pub const INITIALIZER: Self = Self {
        struct_id: CONNECT_OPTIONS_ID,
        struct_version: 8,
        keepAliveInterval: 60,
        cleansession: 1,
        reliable: 1,
        will: null_mut(),
        username: null(),
        password: null(),
        connectTimeout: 30,
        retryInterval: 0,
        ssl: null_mut(),
        serverURIcount: 0,
        serverURIs: null(),
        MQTTVersion: MQTTVERSION_DEFAULT,
        returned: MQTTClient_connectOptions_returned {
            serverURI: null(),
            MQTTVersion: 0,
            sessionPresent: 0,
        },
        binarypwd: NO_BINARY,
        maxInflightMessages: -1,
        cleanstart: 0,
        httpHeaders: null(),
        httpProxy: null(),
        httpsProxy: null(),
    };
    /// `MQTTClient_connectOptions_initializer5`: MQTT 5 over TCP.
    pub const INITIALIZER5: Self = Self {
        cleansession: 0,
        MQTTVersion: MQTTVERSION_5,
        cleanstart: 1,
        ..Self::INITIALIZER
    };
    /// `MQTTClient_connectOptions_initializer_ws`: MQTT 3.x over websockets.
    pub const INITIALIZER_WS: Self = Self {
        keepAliveInterval: 45,
        ..Self::INITIALIZER
    };
    /// `MQTTClient_connectOptions_initializer5_ws`: MQTT 5 over websockets.
    pub const INITIALIZER5_WS: Self = Self {
        keepAliveInterval: 45,
        ..Self::INITIALIZER5
    };
}

impl MQTTAsync_connectOptions {
    /// `MQTTAsync_connectOptions_initializer`: MQTT 3.x over TCP.
    pub const INITIALIZER: Self = Self {
        struct_id: CONNECT_OPTIONS_ID,
        struct_version: 8,
        keepAliveInterval: 60,
        cleansession: 1,
        maxInflight: 65535,
        will: null_mut(),
        username: null(),
        password: null(),
        connectTimeout: 30,
        retryInterval: 0,
        ssl: null_mut(),
        onSuccess: None,
        onFailure: None,
        context: null_mut(),
        serverURIcount: 0,
        serverURIs: null(),
        MQTTVersion: MQTTVERSION_DEFAULT,
        automaticReconnect: 0,
        minRetryInterval: 1,
        maxRetryInterval: 60,
        binarypwd: NO_BINARY,
        cleanstart: 0,
        connectProperties: null_mut(),
        willProperties: null_mut(),
        onSuccess5: None,
        onFailure5: None,
        httpHeaders: null(),
        httpProxy: null(),
        httpsProxy: null(),
    };
    /// `MQTTAsync_connectOptions_initializer5`: MQTT 5 over TCP.
    pub const INITIALIZER5: Self = Self {
        cleansession: 0,
        MQTTVersion: MQTTVERSION_5,
        cleanstart: 1,
        ..Self::INITIALIZER
    };
    /// `MQTTAsync_connectOptions_initializer_ws`: MQTT 3.x over websockets.
    pub const INITIALIZER_WS: Self = Self {
        keepAliveInterval: 45,
        ..Self::INITIALIZER
    };
    /// `MQTTAsync_connectOptions_initializer5_ws`: MQTT 5 over websockets.
    pub const INITIALIZER5_WS: Self = Self {
        keepAliveInterval: 45,
        ..Self::INITIALIZER5
    };
}

impl MQTTAsync_connectData {
    /// `MQTTAsync_connectData_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: CONNECT_DATA_ID,
        struct_version: 0,
        username: null(),
        binarypwd: NO_BINARY,
    };
}

impl MQTTAsync_failureData5 {
    /// `MQTTAsync_failureData5_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: FAILURE_DATA5_ID,
        struct_version: 0,
        token: 0,
        reasonCode: MQTTREASONCODE_SUCCESS,
        properties: MQTTProperties::INITIALIZER,
        code: 0,
        message: null(),
        packet_type: 0,
    };
}

impl MQTTAsync_successData5 {
    /// `MQTTAsync_successData5_initializer`.
    pub const INITIALIZER: Self = Self {
        struct_id: SUCCESS_DATA5_ID,
        struct_version: 0,
        token: 0,
        reasonCode: MQTTREASONCODE_SUCCESS,
        properties: MQTTProperties::INITIALIZER,
        alt: MQTTAsync_successData5_alt {
            sub: MQTTAsync_successData5_codes {
                reasonCodeCount: 0,
                reasonCodes: null_mut(),
            },
        },
    };
}

impl MQTTAsync_responseOptions {
    /// `MQTTAsync_responseOptions_initializer` (also `MQTTAsync_callOptions_initializer`).
    pub const INITIALIZER: Self = Self {
        struct_id: RESPONSE_OPTIONS_ID,
        struct_version: 1,
        onSuccess: None,
        onFailure: None,
        context: null_mut(),
        token: 0,
        onSuccess5: None,
        onFailure5: None,
        properties: MQTTProperties::INITIALIZER,
        subscribeOptions: MQTTSubscribe_options::INITIALIZER,
        subscribeOptionsCount: 0,
        subscribeOptionsList: null_mut(),
    };
}

impl MQTTAsync_disconnectOptions {
    /// `MQTTAsync_disconnectOptions_initializer` (struct_version 0).
    pub const INITIALIZER: Self = Self {
        struct_id: DISCONNECT_OPTIONS_ID,
        struct_version: 0,
        timeout: 0,
        onSuccess: None,
        onFailure: None,
        context: null_mut(),
        properties: MQTTProperties::INITIALIZER,
        reasonCode: MQTTREASONCODE_SUCCESS,
        onSuccess5: None,
        onFailure5: None,
    };
    /// `MQTTAsync_disconnectOptions_initializer5` (struct_version 1).
    pub const INITIALIZER5: Self = Self {
        struct_version: 1,
        ..Self::INITIALIZER
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, size_of};

    // x86_64 Linux sizes, measured from Debian's headers with the C layout probe.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn sizes_match_paho_on_x86_64() {
        assert_eq!(size_of::<MQTTProperty>(), 40);
        assert_eq!(size_of::<MQTTProperties>(), 24);
        assert_eq!(size_of::<MQTTClient_message>(), 64);
        assert_eq!(size_of::<MQTTSubscribe_options>(), 12);
        assert_eq!(align_of::<MQTTSubscribe_options>(), 4);
        assert_eq!(size_of::<MQTTClient_connectOptions>(), 152);
        assert_eq!(size_of::<MQTTAsync_connectOptions>(), 200);
        assert_eq!(size_of::<MQTTAsync_successData>(), 80);
        assert_eq!(size_of::<MQTTAsync_successData5>(), 112);
        assert_eq!(size_of::<MQTTAsync_responseOptions>(), 104);
        assert_eq!(size_of::<MQTTClient_SSLOptions>(), 128);
        assert_eq!(size_of::<MQTTAsync_disconnectOptions>(), 88);
        assert_eq!(size_of::<MQTTAsync_failureData5>(), 64);
        assert_eq!(size_of::<MQTTResponse>(), 32);
    }

    macro_rules! named {
        ($($c:ident),* $(,)?) => { vec![$((stringify!($c), i64::from($c))),*] };
    }

    /// Every `#define NAME <integer>` and enum constant of the public headers, with values.
    fn header_constants() -> Vec<(String, i64)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/include");
        let mut out = Vec::new();
        for h in [
            "MQTTClient.h",
            "MQTTAsync.h",
            "MQTTProperties.h",
            "MQTTReasonCodes.h",
            "MQTTClientPersistence.h",
        ] {
            let text = std::fs::read_to_string(format!("{dir}/{h}"))
                .unwrap_or_else(|e| panic!("{}: {e:?}", "header readable"));
            let text = strip_comments(&text);
            for line in text.lines() {
                let words: Vec<&str> = line.split_whitespace().collect();
                if words.len() == 3 && words[0] == "#define" {
                    if let Some(v) = parse_int(words[2]) {
                        out.push((words[1].to_string(), v));
                    }
                }
            }
            let mut rest = text.as_str();
            while let Some(i) = rest.find("enum ") {
                rest = &rest[i..];
                let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
                    break;
                };
                if open < close && !rest[5..open].contains(';') && !rest[5..open].contains('(') {
                    let mut next = 0;
                    for item in rest[open + 1..close].split(',') {
                        let item = item.trim();
                        if item.is_empty() {
                            continue;
                        }
                        let (name, value) = match item.split_once('=') {
                            Some((n, v)) => (
                                n.trim(),
                                parse_int(v.trim()).unwrap_or_else(|| panic!("enum value")),
                            ),
                            None => (item, next),
                        };
                        out.push((name.to_string(), value));
                        next = value + 1;
                    }
                }
                rest = &rest[5..];
            }
        }
        out
    }

    fn strip_comments(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("/*") {
            out.push_str(&rest[..i]);
            rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
        }
        out.push_str(rest);
        out
    }

    fn parse_int(s: &str) -> Option<i64> {
        match s.strip_prefix("0x") {
            Some(hex) => i64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        }
    }

    #[test]
    fn constants_match_the_headers() {
        let ours: Vec<(&str, i64)> = named![
            MQTTCLIENT_SUCCESS,
            MQTTCLIENT_FAILURE,
            MQTTCLIENT_PERSISTENCE_ERROR,
            MQTTCLIENT_DISCONNECTED,
            MQTTCLIENT_MAX_MESSAGES_INFLIGHT,
            MQTTCLIENT_BAD_UTF8_STRING,
            MQTTCLIENT_NULL_PARAMETER,
            MQTTCLIENT_TOPICNAME_TRUNCATED,
            MQTTCLIENT_BAD_STRUCTURE,
            MQTTCLIENT_BAD_QOS,
            MQTTCLIENT_SSL_NOT_SUPPORTED,
            MQTTCLIENT_BAD_MQTT_VERSION,
            MQTTCLIENT_BAD_PROTOCOL,
            MQTTCLIENT_BAD_MQTT_OPTION,
            MQTTCLIENT_WRONG_MQTT_VERSION,
            MQTTCLIENT_0_LEN_WILL_TOPIC,
            MQTTASYNC_SUCCESS,
            MQTTASYNC_FAILURE,
            MQTTASYNC_PERSISTENCE_ERROR,
            MQTTASYNC_DISCONNECTED,
            MQTTASYNC_MAX_MESSAGES_INFLIGHT,
            MQTTASYNC_BAD_UTF8_STRING,
            MQTTASYNC_NULL_PARAMETER,
            MQTTASYNC_TOPICNAME_TRUNCATED,
            MQTTASYNC_BAD_STRUCTURE,
            MQTTASYNC_BAD_QOS,
            MQTTASYNC_NO_MORE_MSGIDS,
            MQTTASYNC_OPERATION_INCOMPLETE,
            MQTTASYNC_MAX_BUFFERED_MESSAGES,
            MQTTASYNC_SSL_NOT_SUPPORTED,
            MQTTASYNC_BAD_PROTOCOL,
            MQTTASYNC_BAD_MQTT_OPTION,
            MQTTASYNC_WRONG_MQTT_VERSION,
            MQTTASYNC_0_LEN_WILL_TOPIC,
            MQTTASYNC_COMMAND_IGNORED,
            MQTTASYNC_MAX_BUFFERED,
            MQTTASYNC_TRUE,
            MQTTVERSION_DEFAULT,
            MQTTVERSION_3_1,
            MQTTVERSION_3_1_1,
            MQTTVERSION_5,
            MQTT_BAD_SUBSCRIBE,
            MQTT_SSL_VERSION_DEFAULT,
            MQTT_SSL_VERSION_TLS_1_0,
            MQTT_SSL_VERSION_TLS_1_1,
            MQTT_SSL_VERSION_TLS_1_2,
            MQTTCLIENT_PERSISTENCE_DEFAULT,
            MQTTCLIENT_PERSISTENCE_NONE,
            MQTTCLIENT_PERSISTENCE_USER,
            MQTT_INVALID_PROPERTY_ID,
            MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR,
            MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL,
            MQTTPROPERTY_CODE_CONTENT_TYPE,
            MQTTPROPERTY_CODE_RESPONSE_TOPIC,
            MQTTPROPERTY_CODE_CORRELATION_DATA,
            MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER,
            MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL,
            MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER,
            MQTTPROPERTY_CODE_SERVER_KEEP_ALIVE,
            MQTTPROPERTY_CODE_AUTHENTICATION_METHOD,
            MQTTPROPERTY_CODE_AUTHENTICATION_DATA,
            MQTTPROPERTY_CODE_REQUEST_PROBLEM_INFORMATION,
            MQTTPROPERTY_CODE_WILL_DELAY_INTERVAL,
            MQTTPROPERTY_CODE_REQUEST_RESPONSE_INFORMATION,
            MQTTPROPERTY_CODE_RESPONSE_INFORMATION,
            MQTTPROPERTY_CODE_SERVER_REFERENCE,
            MQTTPROPERTY_CODE_REASON_STRING,
            MQTTPROPERTY_CODE_RECEIVE_MAXIMUM,
            MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM,
            MQTTPROPERTY_CODE_TOPIC_ALIAS,
            MQTTPROPERTY_CODE_MAXIMUM_QOS,
            MQTTPROPERTY_CODE_RETAIN_AVAILABLE,
            MQTTPROPERTY_CODE_USER_PROPERTY,
            MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE,
            MQTTPROPERTY_CODE_WILDCARD_SUBSCRIPTION_AVAILABLE,
            MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIERS_AVAILABLE,
            MQTTPROPERTY_CODE_SHARED_SUBSCRIPTION_AVAILABLE,
            MQTTPROPERTY_TYPE_BYTE,
            MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER,
            MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER,
            MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER,
            MQTTPROPERTY_TYPE_BINARY_DATA,
            MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING,
            MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR,
            MQTTREASONCODE_SUCCESS,
            MQTTREASONCODE_NORMAL_DISCONNECTION,
            MQTTREASONCODE_GRANTED_QOS_0,
            MQTTREASONCODE_GRANTED_QOS_1,
            MQTTREASONCODE_GRANTED_QOS_2,
            MQTTREASONCODE_DISCONNECT_WITH_WILL_MESSAGE,
            MQTTREASONCODE_NO_MATCHING_SUBSCRIBERS,
            MQTTREASONCODE_NO_SUBSCRIPTION_FOUND,
            MQTTREASONCODE_CONTINUE_AUTHENTICATION,
            MQTTREASONCODE_RE_AUTHENTICATE,
            MQTTREASONCODE_UNSPECIFIED_ERROR,
            MQTTREASONCODE_MALFORMED_PACKET,
            MQTTREASONCODE_PROTOCOL_ERROR,
            MQTTREASONCODE_IMPLEMENTATION_SPECIFIC_ERROR,
            MQTTREASONCODE_UNSUPPORTED_PROTOCOL_VERSION,
            MQTTREASONCODE_CLIENT_IDENTIFIER_NOT_VALID,
            MQTTREASONCODE_BAD_USER_NAME_OR_PASSWORD,
            MQTTREASONCODE_NOT_AUTHORIZED,
            MQTTREASONCODE_SERVER_UNAVAILABLE,
            MQTTREASONCODE_SERVER_BUSY,
            MQTTREASONCODE_BANNED,
            MQTTREASONCODE_SERVER_SHUTTING_DOWN,
            MQTTREASONCODE_BAD_AUTHENTICATION_METHOD,
            MQTTREASONCODE_KEEP_ALIVE_TIMEOUT,
            MQTTREASONCODE_SESSION_TAKEN_OVER,
            MQTTREASONCODE_TOPIC_FILTER_INVALID,
            MQTTREASONCODE_TOPIC_NAME_INVALID,
            MQTTREASONCODE_PACKET_IDENTIFIER_IN_USE,
            MQTTREASONCODE_PACKET_IDENTIFIER_NOT_FOUND,
            MQTTREASONCODE_RECEIVE_MAXIMUM_EXCEEDED,
            MQTTREASONCODE_TOPIC_ALIAS_INVALID,
            MQTTREASONCODE_PACKET_TOO_LARGE,
            MQTTREASONCODE_MESSAGE_RATE_TOO_HIGH,
            MQTTREASONCODE_QUOTA_EXCEEDED,
            MQTTREASONCODE_ADMINISTRATIVE_ACTION,
            MQTTREASONCODE_PAYLOAD_FORMAT_INVALID,
            MQTTREASONCODE_RETAIN_NOT_SUPPORTED,
            MQTTREASONCODE_QOS_NOT_SUPPORTED,
            MQTTREASONCODE_USE_ANOTHER_SERVER,
            MQTTREASONCODE_SERVER_MOVED,
            MQTTREASONCODE_SHARED_SUBSCRIPTIONS_NOT_SUPPORTED,
            MQTTREASONCODE_CONNECTION_RATE_EXCEEDED,
            MQTTREASONCODE_MAXIMUM_CONNECT_TIME,
            MQTTREASONCODE_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
            MQTTREASONCODE_WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED,
            MQTTCLIENT_TRACE_MAXIMUM,
            MQTTCLIENT_TRACE_MEDIUM,
            MQTTCLIENT_TRACE_MINIMUM,
            MQTTCLIENT_TRACE_PROTOCOL,
            MQTTCLIENT_TRACE_ERROR,
            MQTTCLIENT_TRACE_SEVERE,
            MQTTCLIENT_TRACE_FATAL,
            MQTTASYNC_TRACE_MAXIMUM,
            MQTTASYNC_TRACE_MEDIUM,
            MQTTASYNC_TRACE_MINIMUM,
            MQTTASYNC_TRACE_PROTOCOL,
            MQTTASYNC_TRACE_ERROR,
            MQTTASYNC_TRACE_SEVERE,
            MQTTASYNC_TRACE_FATAL,
        ];
        let theirs = header_constants();
        assert!(theirs.len() > 150, "parsed only {} constants", theirs.len());
        for (name, value) in &theirs {
            let found = ours.iter().find(|(n, _)| n == name);
            assert_eq!(found.map(|f| f.1), Some(*value), "{name}");
        }
        for (name, _) in &ours {
            assert!(
                theirs.iter().any(|(n, _)| n == name),
                "{name} is not in include/"
            );
        }
    }

    #[test]
    fn struct_ids_and_versions_match_the_initializers() {
        let table: [(&str, [c_char; 4], c_int); 22] = [
            (
                "MQTTSubscribe_options_initializer",
                SUBSCRIBE_OPTIONS_ID,
                SUBSCRIBE_OPTIONS_VERSION,
            ),
            (
                "MQTTClient_init_options_initializer",
                INIT_OPTIONS_ID,
                INIT_OPTIONS_VERSION,
            ),
            (
                "MQTTClient_message_initializer",
                MESSAGE_ID,
                MESSAGE_VERSION,
            ),
            (
                "MQTTClient_createOptions_initializer",
                CREATE_OPTIONS_ID,
                CLIENT_CREATE_OPTIONS_VERSION,
            ),
            (
                "MQTTClient_willOptions_initializer",
                WILL_OPTIONS_ID,
                WILL_OPTIONS_VERSION,
            ),
            (
                "MQTTClient_SSLOptions_initializer",
                SSL_OPTIONS_ID,
                SSL_OPTIONS_VERSION,
            ),
            (
                "MQTTClient_connectOptions_initializer",
                CONNECT_OPTIONS_ID,
                CLIENT_CONNECT_OPTIONS_VERSION,
            ),
            (
                "MQTTClient_connectOptions_initializer5",
                CONNECT_OPTIONS_ID,
                CLIENT_CONNECT_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_init_options_initializer",
                INIT_OPTIONS_ID,
                INIT_OPTIONS_VERSION,
            ),
            ("MQTTAsync_message_initializer", MESSAGE_ID, MESSAGE_VERSION),
            (
                "MQTTAsync_connectData_initializer",
                CONNECT_DATA_ID,
                CONNECT_DATA_VERSION,
            ),
            (
                "MQTTAsync_failureData5_initializer",
                FAILURE_DATA5_ID,
                FAILURE_DATA5_VERSION,
            ),
            (
                "MQTTAsync_successData5_initializer",
                SUCCESS_DATA5_ID,
                SUCCESS_DATA5_VERSION,
            ),
            (
                "MQTTAsync_responseOptions_initializer",
                RESPONSE_OPTIONS_ID,
                RESPONSE_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_createOptions_initializer",
                CREATE_OPTIONS_ID,
                ASYNC_CREATE_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_createOptions_initializer5",
                CREATE_OPTIONS_ID,
                ASYNC_CREATE_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_willOptions_initializer",
                WILL_OPTIONS_ID,
                WILL_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_SSLOptions_initializer",
                SSL_OPTIONS_ID,
                SSL_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_connectOptions_initializer",
                CONNECT_OPTIONS_ID,
                ASYNC_CONNECT_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_connectOptions_initializer5_ws",
                CONNECT_OPTIONS_ID,
                ASYNC_CONNECT_OPTIONS_VERSION,
            ),
            (
                "MQTTAsync_disconnectOptions_initializer5",
                DISCONNECT_OPTIONS_ID,
                DISCONNECT_OPTIONS_VERSION,
            ),
            ("MQTTResponse_initializer", [0; 4], RESPONSE_VERSION),
        ];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/include");
        let text: String = ["MQTTClient.h", "MQTTAsync.h", "MQTTSubscribeOpts.h"]
            .iter()
            .map(|h| {
                std::fs::read_to_string(format!("{dir}/{h}"))
                    .unwrap_or_else(|e| panic!("{}: {e:?}", "header readable"))
            })
            .collect();
        for (macro_name, id, version) in table {
            let key = format!("#define {macro_name} ");
            let at = text
                .find(&key)
                .unwrap_or_else(|| panic!("{macro_name} not found"));
            let body: String = text[at + key.len()..]
                .chars()
                .take(60)
                .filter(|c| !c.is_whitespace() && *c != '\'')
                .collect();
            let body = body.strip_prefix('{').unwrap_or(&body);
            let expect = if id == [0; 4] {
                format!("{version},")
            } else {
                let id: String = id.iter().map(|&b| b as u8 as char).collect();
                let mut letters = id.chars().map(String::from).collect::<Vec<_>>().join(",");
                letters = format!("{{{letters}}},{version},");
                letters
            };
            assert!(
                body.starts_with(&expect),
                "{macro_name}: {body} vs {expect}"
            );
        }
    }

    /// Flattens a value into the sequence of scalars a C brace initializer lists.
    trait Flat {
        fn flat(&self, out: &mut Vec<i64>);
    }
    macro_rules! flat_scalar {
        ($($t:ty),*) => { $(impl Flat for $t { fn flat(&self, out: &mut Vec<i64>) { out.push(i64::from(*self)); } })* };
    }
    flat_scalar!(c_int, c_uint, c_uchar);
    impl Flat for [c_char; 4] {
        fn flat(&self, out: &mut Vec<i64>) {
            out.extend(self.iter().map(|&c| i64::from(c)));
        }
    }
    impl<T> Flat for *const T {
        fn flat(&self, out: &mut Vec<i64>) {
            out.push(i64::from(!self.is_null()));
        }
    }
    impl<T> Flat for *mut T {
        fn flat(&self, out: &mut Vec<i64>) {
            out.push(i64::from(!self.is_null()));
        }
    }
    impl<T> Flat for Option<T> {
        fn flat(&self, out: &mut Vec<i64>) {
            out.push(i64::from(self.is_some()));
        }
    }
    macro_rules! flat_struct {
        ($t:ty: $($f:ident),*) => {
            impl Flat for $t { fn flat(&self, out: &mut Vec<i64>) { $(self.$f.flat(out);)* } }
        };
    }
    flat_struct!(MQTTBinary: len, data);
    flat_struct!(MQTTClient_connectOptions_returned: serverURI, MQTTVersion, sessionPresent);
    flat_struct!(MQTTProperties: count, max_count, length, array);
    flat_struct!(MQTTSubscribe_options: struct_id, struct_version, noLocal, retainAsPublished, retainHandling);
    flat_struct!(MQTTClient_init_options: struct_id, struct_version, do_openssl_init);
    flat_struct!(MQTTClient_message: struct_id, struct_version, payloadlen, payload, qos, retained, dup, msgid, properties);
    flat_struct!(MQTTClient_createOptions: struct_id, struct_version, MQTTVersion);
    flat_struct!(MQTTClient_willOptions: struct_id, struct_version, topicName, message, retained, qos, payload);
    flat_struct!(MQTTClient_SSLOptions: struct_id, struct_version, trustStore, keyStore, privateKey, privateKeyPassword, enabledCipherSuites, enableServerCertAuth, sslVersion, verify, CApath, ssl_error_cb, ssl_error_context, ssl_psk_cb, ssl_psk_context, disableDefaultTrustStore, protos, protos_len);
    flat_struct!(MQTTClient_connectOptions: struct_id, struct_version, keepAliveInterval, cleansession, reliable, will, username, password, connectTimeout, retryInterval, ssl, serverURIcount, serverURIs, MQTTVersion, returned, binarypwd, maxInflightMessages, cleanstart, httpHeaders, httpProxy, httpsProxy);
    flat_struct!(MQTTResponse: version, reasonCode, reasonCodeCount, reasonCodes, properties);
    flat_struct!(MQTTAsync_init_options: struct_id, struct_version, do_openssl_init);
    flat_struct!(MQTTAsync_message: struct_id, struct_version, payloadlen, payload, qos, retained, dup, msgid, properties);
    flat_struct!(MQTTAsync_connectData: struct_id, struct_version, username, binarypwd);
    flat_struct!(MQTTAsync_failureData5: struct_id, struct_version, token, reasonCode, properties, code, message, packet_type);
    flat_struct!(MQTTAsync_responseOptions: struct_id, struct_version, onSuccess, onFailure, context, token, onSuccess5, onFailure5, properties, subscribeOptions, subscribeOptionsCount, subscribeOptionsList);
    flat_struct!(MQTTAsync_createOptions: struct_id, struct_version, sendWhileDisconnected, maxBufferedMessages, MQTTVersion, allowDisconnectedSendAtAnyTime, deleteOldestMessages, restoreMessages, persistQoS0);
    flat_struct!(MQTTAsync_willOptions: struct_id, struct_version, topicName, message, retained, qos, payload);
    flat_struct!(MQTTAsync_SSLOptions: struct_id, struct_version, trustStore, keyStore, privateKey, privateKeyPassword, enabledCipherSuites, enableServerCertAuth, sslVersion, verify, CApath, ssl_error_cb, ssl_error_context, ssl_psk_cb, ssl_psk_context, disableDefaultTrustStore, protos, protos_len);
    flat_struct!(MQTTAsync_connectOptions: struct_id, struct_version, keepAliveInterval, cleansession, maxInflight, will, username, password, connectTimeout, retryInterval, ssl, onSuccess, onFailure, context, serverURIcount, serverURIs, MQTTVersion, automaticReconnect, minRetryInterval, maxRetryInterval, binarypwd, cleanstart, connectProperties, willProperties, onSuccess5, onFailure5, httpHeaders, httpProxy, httpsProxy);
    flat_struct!(MQTTAsync_disconnectOptions: struct_id, struct_version, timeout, onSuccess, onFailure, context, properties, reasonCode, onSuccess5, onFailure5);

    /// The scalars of a `#define NAME {...}` initializer in include/, nested macros expanded.
    fn c_initializer(text: &str, consts: &[(String, i64)], name: &str) -> Vec<i64> {
        let key = format!("#define {name} ");
        let at = text
            .find(&key)
            .unwrap_or_else(|| panic!("{name} not in include/"));
        let mut body = String::new();
        for line in text[at + key.len()..].lines() {
            body.push_str(line.trim_end_matches('\\'));
            if !line.ends_with('\\') {
                break;
            }
        }
        let mut out = Vec::new();
        for tok in body
            .split([',', '{', '}'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if tok == "NULL" {
                out.push(0);
            } else if let Some(c) = tok.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
                out.push(i64::from(c.as_bytes()[0]));
            } else if let Ok(v) = tok.parse::<i64>() {
                out.push(v);
            } else if tok.ends_with("_initializer") {
                out.extend(c_initializer(text, consts, tok));
            } else {
                let v = consts
                    .iter()
                    .find(|(n, _)| n == tok)
                    .unwrap_or_else(|| panic!("{tok}?"));
                out.push(v.1);
            }
        }
        out
    }

    #[test]
    fn initializer_constants_match_the_header_macros() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/include");
        let text: String = [
            "MQTTClient.h",
            "MQTTAsync.h",
            "MQTTSubscribeOpts.h",
            "MQTTProperties.h",
        ]
        .iter()
        .map(|h| {
            std::fs::read_to_string(format!("{dir}/{h}"))
                .unwrap_or_else(|e| panic!("{}: {e:?}", "header readable"))
        })
        .collect();
        let consts = header_constants();
        let ours: Vec<(&str, Vec<i64>)> = vec![
            (
                "MQTTProperties_initializer",
                flat(&MQTTProperties::INITIALIZER),
            ),
            (
                "MQTTSubscribe_options_initializer",
                flat(&MQTTSubscribe_options::INITIALIZER),
            ),
            ("MQTTResponse_initializer", flat(&MQTTResponse::INITIALIZER)),
            (
                "MQTTClient_init_options_initializer",
                flat(&MQTTClient_init_options::INITIALIZER),
            ),
            (
                "MQTTClient_message_initializer",
                flat(&MQTTClient_message::INITIALIZER),
            ),
            (
                "MQTTClient_createOptions_initializer",
                flat(&MQTTClient_createOptions::INITIALIZER),
            ),
            (
                "MQTTClient_willOptions_initializer",
                flat(&MQTTClient_willOptions::INITIALIZER),
            ),
            (
                "MQTTClient_SSLOptions_initializer",
                flat(&MQTTClient_SSLOptions::INITIALIZER),
            ),
            (
                "MQTTClient_connectOptions_initializer",
                flat(&MQTTClient_connectOptions::INITIALIZER),
            ),
            (
                "MQTTClient_connectOptions_initializer5",
                flat(&MQTTClient_connectOptions::INITIALIZER5),
            ),
            (
                "MQTTClient_connectOptions_initializer_ws",
                flat(&MQTTClient_connectOptions::INITIALIZER_WS),
            ),
            (
                "MQTTClient_connectOptions_initializer5_ws",
                flat(&MQTTClient_connectOptions::INITIALIZER5_WS),
            ),
            (
                "MQTTAsync_init_options_initializer",
                flat(&MQTTAsync_init_options::INITIALIZER),
            ),
            (
                "MQTTAsync_message_initializer",
                flat(&MQTTAsync_message::INITIALIZER),
            ),
            (
                "MQTTAsync_connectData_initializer",
                flat(&MQTTAsync_connectData::INITIALIZER),
            ),
            (
                "MQTTAsync_failureData5_initializer",
                flat(&MQTTAsync_failureData5::INITIALIZER),
            ),
            (
                "MQTTAsync_responseOptions_initializer",
                flat(&MQTTAsync_responseOptions::INITIALIZER),
            ),
            (
                "MQTTAsync_createOptions_initializer",
                flat(&MQTTAsync_createOptions::INITIALIZER),
            ),
            (
                "MQTTAsync_createOptions_initializer5",
                flat(&MQTTAsync_createOptions::INITIALIZER5),
            ),
            (
                "MQTTAsync_willOptions_initializer",
                flat(&MQTTAsync_willOptions::INITIALIZER),
            ),
            (
                "MQTTAsync_SSLOptions_initializer",
                flat(&MQTTAsync_SSLOptions::INITIALIZER),
            ),
            (
                "MQTTAsync_connectOptions_initializer",
                flat(&MQTTAsync_connectOptions::INITIALIZER),
            ),
            (
                "MQTTAsync_connectOptions_initializer5",
                flat(&MQTTAsync_connectOptions::INITIALIZER5),
            ),
            (
                "MQTTAsync_connectOptions_initializer_ws",
                flat(&MQTTAsync_connectOptions::INITIALIZER_WS),
            ),
            (
                "MQTTAsync_connectOptions_initializer5_ws",
                flat(&MQTTAsync_connectOptions::INITIALIZER5_WS),
            ),
            (
                "MQTTAsync_disconnectOptions_initializer",
                flat(&MQTTAsync_disconnectOptions::INITIALIZER),
            ),
            (
                "MQTTAsync_disconnectOptions_initializer5",
                flat(&MQTTAsync_disconnectOptions::INITIALIZER5),
            ),
        ];
        for (name, values) in ours {
            assert_eq!(values, c_initializer(&text, &consts, name), "{name}");
        }
    }

    fn flat<T: Flat>(v: &T) -> Vec<i64> {
        let mut out = Vec::new();
        v.flat(&mut out);
        out
    }
}
