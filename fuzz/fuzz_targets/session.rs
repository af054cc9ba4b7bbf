#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../session_body.rs"]
mod session_body;

fuzz_target!(|data: &[u8]| {
    session_body::run_session(data);
});
