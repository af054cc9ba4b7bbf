#![no_main]

use libfuzzer_sys::fuzz_target;
use paho_mqtt_c_rs::protocol::ProtocolVersion;

fuzz_target!(|data: &[u8]| {
    paho_mqtt_c_rs_fuzz::decode_stream(data, ProtocolVersion::V31);
});
