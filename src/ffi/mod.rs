//! The C ABI: `repr(C)` types, argument checks, struct_version handling and the panic
//! boundary. No protocol logic lives here: convert, validate, call `client`, convert back.

pub(crate) mod panic;
pub mod properties;
pub mod types;
pub mod versioned;
