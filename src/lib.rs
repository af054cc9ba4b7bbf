//! A Rust implementation of the Eclipse Paho MQTT C client libraries.
//!
//! Layers, top to bottom: `ffi` (the C ABI), `client` (handles, tokens, waiting, callbacks),
//! `engine` (one mio event loop owning every socket and timer), `session` (sans-IO MQTT
//! session state) and `protocol` (sans-IO codec). See `../shared/DESIGN.md`.

#![deny(unsafe_op_in_unsafe_fn)]
// `field!` reads a C struct field through a raw pointer by design.
#![allow(clippy::macro_metavars_in_unsafe)]

pub mod bufpool;
pub mod client;
pub mod engine;
pub mod ffi;
pub mod net;
pub mod persist;
pub mod protocol;
pub mod session;
pub mod trace;
pub mod vg;
