//! Gives the shared library the identity of the Paho library it stands in for.
//!
//! The crate is compiled once per Paho library (see CMakeLists.txt), and the feature set
//! says which one: `sync` = libpaho-mqtt3c, `sync,tls` = libpaho-mqtt3cs, `async` =
//! libpaho-mqtt3a, `async,tls` = libpaho-mqtt3as. Programs linked against Paho record the
//! SONAME (`libpaho-mqtt3c.so.1`), so ours must carry the same one or they would not load it.
//! A build with no library feature (plain `cargo test`, `cargo clippy`) or with both APIs at
//! once is not one of the four libraries and gets no SONAME.

use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    let sync = env::var_os("CARGO_FEATURE_SYNC").is_some();
    let asynchronous = env::var_os("CARGO_FEATURE_ASYNC").is_some();
    let tls = env::var_os("CARGO_FEATURE_TLS").is_some();
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();

    let base = match (sync, asynchronous) {
        (true, false) => "paho-mqtt3c",
        (false, true) => "paho-mqtt3a",
        _ => return,
    };
    // The soname and nodelete flags below are ELF linker options.
    if target_os != "linux" && target_os != "android" && !target_os.ends_with("bsd") {
        return;
    }
    let name = if tls {
        format!("{base}s")
    } else {
        base.to_string()
    };

    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,lib{name}.so.1");
    // Our threads may still be running code from this object when a host calls dlclose();
    // keeping it mapped makes dlclose safe without asking anything of the caller.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
}
