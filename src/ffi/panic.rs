//! The panic boundary every exported function goes through.
//!
//! A panic must never unwind into C (that aborts the host program at best). Each
//! `extern "C"` body runs inside [`guard`], which turns a panic into the error value the
//! C API uses for that function (`MQTTCLIENT_FAILURE`, NULL, 0, ...).

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `body`; if it panics, returns `on_panic` instead.
///
/// `AssertUnwindSafe` is sound here because after a panic we hand nothing that `body`
/// touched back to Rust code: the caller only sees `on_panic`.
pub(crate) fn guard<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn a_panic_becomes_the_fallback_value() {
        // The panic message is printed by the default hook; that is expected.
        let got = guard(-1, || -> i32 { panic!("boom") });
        assert_eq!(got, -1);
        assert_eq!(guard(-1, || 7), 7);
    }
}
