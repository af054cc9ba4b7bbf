//! Reading the caller's options structs no further than their `struct_version` allows.
//!
//! A program compiled against older Paho headers passes an older, shorter struct with an
//! older `struct_version`. Reading the newest layout from it would read past the caller's
//! object. [`read_struct`] checks `struct_id` and the version range (Paho answers
//! `*_BAD_STRUCTURE` otherwise), copies only the bytes that exist at that version, and
//! takes every later field from the struct's initializer.
//!
//! Which fields each version adds was checked against Debian's Paho 1.3.12: e.g. the sync
//! `MQTTClient_createOptions` accepts only version 0, `MQTTAsync_createOptions` 0..=2 (its
//! flags and `persistQoS0` are read from version 2 on), connect options 0..=8, will and
//! message 0..=1, TLS options 0..=5.

use std::mem::{offset_of, size_of};
use std::os::raw::{c_char, c_int};
use std::ptr;

use super::types::*;

/// Why a caller's options struct was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructError {
    /// The pointer was NULL.
    Null,
    /// Wrong `struct_id`, or a `struct_version` outside the range this library knows.
    BadStructure,
}

/// An options struct that begins with `char struct_id[4]; int struct_version;`.
pub trait VersionedStruct: Copy {
    /// The expected `struct_id`.
    const ID: [c_char; 4];
    /// The newest `struct_version` we understand.
    const MAX_VERSION: c_int;
    /// Values for the fields a caller's version does not have (the header's initializer).
    const DEFAULTS: Self;
    /// How many bytes, from the start, a struct of `version` holds.
    fn size_for_version(version: c_int) -> usize;
    /// Resets fields that lie inside those bytes but have no meaning at `version`.
    fn clear_unused(&mut self, _version: c_int) {}
}

/// Reads the caller's struct as its `struct_version` defines it; fields it lacks hold the
/// initializer's values, and `struct_version` keeps the caller's value.
///
/// # Safety
/// `src` is NULL or points to a struct of type `T` at least as long as its own
/// `struct_version` says (which is what every Paho-compiled caller passes).
pub unsafe fn read_struct<T: VersionedStruct>(src: *const T) -> Result<T, StructError> {
    if src.is_null() {
        return Err(StructError::Null);
    }
    let base = src as *const u8;
    let mut id: [c_char; 4] = [0; 4];
    // SAFETY: every version of every such struct starts with the 4-byte id and an int.
    let version = unsafe {
        ptr::copy_nonoverlapping(base as *const c_char, id.as_mut_ptr(), 4);
        ptr::read_unaligned(base.add(4) as *const c_int)
    };
    if id != T::ID || !(0..=T::MAX_VERSION).contains(&version) {
        return Err(StructError::BadStructure);
    }
    let mut out = T::DEFAULTS;
    let len = T::size_for_version(version).min(size_of::<T>());
    // SAFETY: `len` bytes exist at `src` for this version (the caller's promise), `out`
    // has at least `len`, and `len` ends on a field boundary, so every field of `out` is
    // either wholly the caller's or wholly the default. Any bit pattern is valid for
    // these plain C fields.
    unsafe { ptr::copy_nonoverlapping(base, &mut out as *mut T as *mut u8, len) };
    out.clear_unused(version);
    Ok(out)
}

/// Size of the bytes before `field`, i.e. the length of a version that ends just before it.
macro_rules! upto {
    ($t:ty, $field:ident) => {
        offset_of!($t, $field)
    };
}

impl VersionedStruct for MQTTClient_connectOptions {
    const ID: [c_char; 4] = CONNECT_OPTIONS_ID;
    const MAX_VERSION: c_int = CLIENT_CONNECT_OPTIONS_VERSION;
    const DEFAULTS: Self = Self::INITIALIZER;
    fn size_for_version(version: c_int) -> usize {
        match version {
            0 => upto!(Self, ssl),
            1 => upto!(Self, serverURIcount),
            2 => upto!(Self, MQTTVersion),
            3 => upto!(Self, returned),
            4 => upto!(Self, binarypwd),
            5 => upto!(Self, maxInflightMessages),
            6 => upto!(Self, httpHeaders),
            7 => upto!(Self, httpProxy),
            _ => size_of::<Self>(),
        }
    }
}

impl VersionedStruct for MQTTAsync_connectOptions {
    const ID: [c_char; 4] = CONNECT_OPTIONS_ID;
    const MAX_VERSION: c_int = ASYNC_CONNECT_OPTIONS_VERSION;
    const DEFAULTS: Self = Self::INITIALIZER;
    fn size_for_version(version: c_int) -> usize {
        match version {
            // Version 0 already has the callbacks, which sit after `ssl`.
            0 | 1 => upto!(Self, serverURIcount),
            2 => upto!(Self, MQTTVersion),
            3 => upto!(Self, automaticReconnect),
            4 => upto!(Self, binarypwd),
            5 => upto!(Self, cleanstart),
            6 => upto!(Self, httpHeaders),
            7 => upto!(Self, httpProxy),
            _ => size_of::<Self>(),
        }
    }
    fn clear_unused(&mut self, version: c_int) {
        if version < 1 {
            self.ssl = ptr::null_mut();
        }
    }
}

macro_rules! ssl_versions {
    ($t:ty) => {
        impl VersionedStruct for $t {
            const ID: [c_char; 4] = SSL_OPTIONS_ID;
            const MAX_VERSION: c_int = SSL_OPTIONS_VERSION;
            const DEFAULTS: Self = Self::INITIALIZER;
            fn size_for_version(version: c_int) -> usize {
                match version {
                    0 => upto!(Self, sslVersion),
                    1 => upto!(Self, verify),
                    2 => upto!(Self, ssl_error_cb),
                    3 => upto!(Self, ssl_psk_cb),
                    4 => upto!(Self, protos),
                    _ => size_of::<Self>(),
                }
            }
        }
    };
}
ssl_versions!(MQTTClient_SSLOptions);
ssl_versions!(MQTTAsync_SSLOptions);

macro_rules! will_versions {
    ($t:ty) => {
        impl VersionedStruct for $t {
            const ID: [c_char; 4] = WILL_OPTIONS_ID;
            const MAX_VERSION: c_int = WILL_OPTIONS_VERSION;
            const DEFAULTS: Self = Self::INITIALIZER;
            fn size_for_version(version: c_int) -> usize {
                match version {
                    0 => upto!(Self, payload),
                    _ => size_of::<Self>(),
                }
            }
        }
    };
}
will_versions!(MQTTClient_willOptions);
will_versions!(MQTTAsync_willOptions);

macro_rules! message_versions {
    ($t:ty) => {
        impl VersionedStruct for $t {
            const ID: [c_char; 4] = MESSAGE_ID;
            const MAX_VERSION: c_int = MESSAGE_VERSION;
            const DEFAULTS: Self = Self::INITIALIZER;
            fn size_for_version(version: c_int) -> usize {
                match version {
                    0 => upto!(Self, properties),
                    _ => size_of::<Self>(),
                }
            }
        }
    };
}
message_versions!(MQTTClient_message);
message_versions!(MQTTAsync_message);

impl VersionedStruct for MQTTClient_createOptions {
    const ID: [c_char; 4] = CREATE_OPTIONS_ID;
    const MAX_VERSION: c_int = CLIENT_CREATE_OPTIONS_VERSION;
    const DEFAULTS: Self = Self::INITIALIZER;
    fn size_for_version(_version: c_int) -> usize {
        size_of::<Self>()
    }
}

impl VersionedStruct for MQTTAsync_createOptions {
    const ID: [c_char; 4] = CREATE_OPTIONS_ID;
    const MAX_VERSION: c_int = ASYNC_CREATE_OPTIONS_VERSION;
    const DEFAULTS: Self = Self::INITIALIZER;
    fn size_for_version(version: c_int) -> usize {
        match version {
            0 => upto!(Self, MQTTVersion),
            1 => upto!(Self, allowDisconnectedSendAtAnyTime),
            _ => size_of::<Self>(),
        }
    }
}

macro_rules! whole_struct {
    ($t:ty, $id:expr, $max:expr) => {
        impl VersionedStruct for $t {
            const ID: [c_char; 4] = $id;
            const MAX_VERSION: c_int = $max;
            const DEFAULTS: Self = Self::INITIALIZER;
            fn size_for_version(_version: c_int) -> usize {
                size_of::<Self>()
            }
        }
    };
}
whole_struct!(
    MQTTClient_init_options,
    INIT_OPTIONS_ID,
    INIT_OPTIONS_VERSION
);
whole_struct!(
    MQTTAsync_init_options,
    INIT_OPTIONS_ID,
    INIT_OPTIONS_VERSION
);
whole_struct!(
    MQTTSubscribe_options,
    SUBSCRIBE_OPTIONS_ID,
    SUBSCRIBE_OPTIONS_VERSION
);

impl VersionedStruct for MQTTAsync_responseOptions {
    const ID: [c_char; 4] = RESPONSE_OPTIONS_ID;
    const MAX_VERSION: c_int = RESPONSE_OPTIONS_VERSION;
    const DEFAULTS: Self = Self::INITIALIZER;
    fn size_for_version(version: c_int) -> usize {
        match version {
            0 => upto!(Self, onSuccess5),
            _ => size_of::<Self>(),
        }
    }
}

impl VersionedStruct for MQTTAsync_disconnectOptions {
    const ID: [c_char; 4] = DISCONNECT_OPTIONS_ID;
    const MAX_VERSION: c_int = DISCONNECT_OPTIONS_VERSION;
    const DEFAULTS: Self = Self::INITIALIZER;
    fn size_for_version(version: c_int) -> usize {
        match version {
            0 => upto!(Self, properties),
            _ => size_of::<Self>(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{alloc_zeroed, dealloc, Layout};

    /// Copies the first `len` bytes of `value` into a heap block of exactly `len` bytes,
    /// like an old caller's shorter struct, and reads it back.
    fn read_truncated<T: VersionedStruct>(value: &T, len: usize) -> Result<T, StructError> {
        let layout = Layout::from_size_align(len, std::mem::align_of::<T>())
            .unwrap_or_else(|e| panic!("{}: {e:?}", "layout"));
        unsafe {
            let block = alloc_zeroed(layout);
            ptr::copy_nonoverlapping(value as *const T as *const u8, block, len);
            let got = read_struct(block as *const T);
            dealloc(block, layout);
            got
        }
    }

    #[test]
    fn an_old_will_gets_the_default_payload() {
        let mut will = MQTTClient_willOptions::INITIALIZER;
        will.struct_version = 0;
        will.qos = 2;
        will.payload = MQTTBinary {
            len: 99,
            data: ptr::NonNull::<u8>::dangling().as_ptr() as *const _,
        };
        let got = read_truncated(&will, MQTTClient_willOptions::size_for_version(0))
            .unwrap_or_else(|e| panic!("{}: {e:?}", "valid"));
        assert_eq!((got.struct_version, got.qos, got.payload.len), (0, 2, 0));
        assert!(got.payload.data.is_null());
    }

    #[test]
    fn each_connect_version_reads_only_its_own_fields() {
        let mut o = MQTTClient_connectOptions::INITIALIZER;
        o.keepAliveInterval = 5;
        o.MQTTVersion = MQTTVERSION_5;
        o.maxInflightMessages = 7;
        o.cleanstart = 1;
        for v in 0..=8 {
            o.struct_version = v;
            let got = read_truncated(&o, MQTTClient_connectOptions::size_for_version(v))
                .unwrap_or_else(|e| panic!("{}: {e:?}", "valid"));
            assert_eq!(got.keepAliveInterval, 5);
            assert_eq!(
                got.MQTTVersion,
                if v >= 3 {
                    MQTTVERSION_5
                } else {
                    MQTTVERSION_DEFAULT
                },
                "v{v}"
            );
            assert_eq!(got.maxInflightMessages, if v >= 6 { 7 } else { -1 }, "v{v}");
            assert_eq!(got.cleanstart, if v >= 6 { 1 } else { 0 }, "v{v}");
        }
    }

    #[test]
    fn version_zero_async_connect_keeps_callbacks_but_not_ssl() {
        unsafe extern "C" fn ok(_: *mut std::os::raw::c_void, _: *mut MQTTAsync_successData) {}
        let mut ssl = MQTTAsync_SSLOptions::INITIALIZER;
        let mut o = MQTTAsync_connectOptions::INITIALIZER;
        o.struct_version = 0;
        o.ssl = &mut ssl;
        o.onSuccess = Some(ok);
        let got = read_truncated(&o, MQTTAsync_connectOptions::size_for_version(0))
            .unwrap_or_else(|e| panic!("{}: {e:?}", "valid"));
        assert!(got.ssl.is_null());
        assert!(got.onSuccess.is_some());
    }

    #[test]
    fn bad_ids_versions_and_null_are_refused() {
        let mut o = MQTTAsync_createOptions::INITIALIZER;
        assert!(unsafe { read_struct(&o) }.is_ok());
        o.struct_version = 3;
        assert_eq!(
            unsafe { read_struct(&o) }.err(),
            Some(StructError::BadStructure)
        );
        o.struct_version = -1;
        assert_eq!(
            unsafe { read_struct(&o) }.err(),
            Some(StructError::BadStructure)
        );
        o.struct_version = 2;
        o.struct_id = struct_id(b"MQCX");
        assert_eq!(
            unsafe { read_struct(&o) }.err(),
            Some(StructError::BadStructure)
        );
        let mut c = MQTTClient_createOptions::INITIALIZER;
        c.struct_version = 1;
        assert_eq!(
            unsafe { read_struct(&c) }.err(),
            Some(StructError::BadStructure)
        );
        assert_eq!(
            unsafe { read_struct::<MQTTClient_message>(ptr::null()) }.err(),
            Some(StructError::Null)
        );
    }

    #[test]
    fn version_sizes_grow_and_end_at_the_full_struct() {
        fn check<T: VersionedStruct>() {
            let sizes: Vec<usize> = (0..=T::MAX_VERSION).map(T::size_for_version).collect();
            assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
            assert_eq!(sizes.last().copied(), Some(size_of::<T>()));
        }
        check::<MQTTClient_connectOptions>();
        check::<MQTTAsync_connectOptions>();
        check::<MQTTClient_SSLOptions>();
        check::<MQTTAsync_SSLOptions>();
        check::<MQTTClient_willOptions>();
        check::<MQTTClient_message>();
        check::<MQTTAsync_createOptions>();
        check::<MQTTAsync_responseOptions>();
        check::<MQTTAsync_disconnectOptions>();
    }
}
