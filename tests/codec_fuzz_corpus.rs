//! The fuzz target bodies (fuzz/src/lib.rs) run under plain `cargo test` over the seed
//! corpus (fuzz/seeds/) and every single-byte change of each seed, so the checks the fuzzer
//! makes are exercised on every test run, without nightly or libFuzzer.

#[path = "../fuzz/src/lib.rs"]
mod fuzz_body;

use paho_mqtt_c_rs::protocol::ProtocolVersion;

fn seeds() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("fuzz/seeds")
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert!(seeds.len() >= 15, "seed corpus missing");
    seeds.sort();
    seeds
}

#[test]
fn fuzz_targets_over_the_seed_corpus() {
    for seed in seeds() {
        for v in [
            ProtocolVersion::V31,
            ProtocolVersion::V311,
            ProtocolVersion::V5,
        ] {
            fuzz_body::decode_stream(&seed, v);
        }
    }
}

#[test]
fn fuzz_targets_over_single_byte_changes_of_the_seeds() {
    for seed in seeds() {
        for i in 0..seed.len() {
            for b in [0x00, 0x01, 0x7f, 0x80, 0xff, seed[i] ^ 0x02, seed[i] ^ 0x40] {
                let mut m = seed.clone();
                m[i] = b;
                for v in [
                    ProtocolVersion::V31,
                    ProtocolVersion::V311,
                    ProtocolVersion::V5,
                ] {
                    fuzz_body::decode_stream(&m, v);
                }
            }
        }
    }
}
