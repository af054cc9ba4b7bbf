//! The C ABI: `repr(C)` types, argument checks, struct_version handling and the panic
//! boundary. No protocol logic lives here: convert, validate, call `client`, convert back.

pub(crate) mod panic;
pub mod properties;
pub mod types;
pub mod versioned;

#[cfg(feature = "async")]
pub mod async_api;
pub mod common;
pub mod convert;
pub mod persist;
#[cfg(feature = "sync")]
pub mod sync;

/// Run `body`, turning a panic into `on_panic` so that no unwind crosses into C.
/// Every exported function goes through this. It also traces the call and its result at
/// MEDIUM level, and before returning waits until the trace lines of the call have reached
/// the application's trace callback.
#[macro_export]
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:block) => {{
        // The enclosing function's name, from the path of an item declared inside it.
        fn __here() {}
        let __name = || $crate::ffi::api_name(::std::any::type_name_of_val(&__here));
        $crate::trace!(
            Medium,
            "{} called on {}",
            __name(),
            $crate::trace::thread_name()
        );
        let __r = match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(v) => v,
            Err(_) => {
                $crate::trace!(
                    Severe,
                    "{}: internal error: a panic was caught at the C boundary",
                    __name()
                );
                $on_panic
            }
        };
        $crate::trace!(
            Medium,
            "{} returns{}",
            __name(),
            $crate::trace::Returned::shown(&__r)
        );
        $crate::trace::sync();
        __r
    }};
}

/// `crate::ffi::sync::MQTTClient_connect::__here` -> `MQTTClient_connect`.
pub fn api_name(path: &'static str) -> &'static str {
    let path = path.strip_suffix("::__here").unwrap_or(path);
    path.rsplit("::").next().unwrap_or(path)
}

/// Read one field of a C struct through a raw pointer, without forming a reference to the
/// whole struct (which may be an older, shorter version).
#[macro_export]
macro_rules! field {
    ($p:expr, $f:ident) => {{
        #[allow(unused_unsafe)]
        // SAFETY: the caller checked the pointer and that this field exists in its version.
        let v = unsafe { ::std::ptr::addr_of!((*$p).$f).read() };
        v
    }};
}

use std::ffi::{c_char, CStr};

/// Borrow a C string as UTF-8. `Err(true)` when NULL, `Err(false)` when not UTF-8.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that lives for `'a`.
pub unsafe fn cstr<'a>(p: *const c_char) -> Result<&'a str, bool> {
    if p.is_null() {
        return Err(true);
    }
    // SAFETY: the caller guarantees a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|_| false)
}

/// Whether a C struct's eye-catcher matches.
pub fn id_is(actual: &[c_char; 4], want: &[c_char; 4]) -> bool {
    actual == want
}

#[cfg(test)]
mod tests {
    #[test]
    fn api_name_is_the_exported_function() {
        fn __here() {}
        let name = super::api_name(std::any::type_name_of_val(&__here));
        assert_eq!(name, "api_name_is_the_exported_function");
        assert_eq!(
            super::api_name("paho_mqtt_c_rs::ffi::sync::MQTTClient_connect::__here"),
            "MQTTClient_connect"
        );
    }
}
