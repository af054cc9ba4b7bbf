//! The session fuzz target's body (fuzz/session_body.rs) under plain `cargo test`: every seed
//! of fuzz/seeds_session, every single-byte change of each, and every truncation.

#[path = "../fuzz/session_body.rs"]
mod session_body;

#[test]
fn session_fuzz_body_over_the_seed_corpus_and_its_mutations() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds_session");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("fuzz/seeds_session")
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "seed corpus missing");
    for seed in &seeds {
        session_body::run_session(seed);
        for cut in 0..seed.len() {
            session_body::run_session(&seed[..cut]);
        }
        for i in 0..seed.len() {
            for x in [0x01u8, 0x02, 0x10, 0x80, 0xff] {
                let mut m = seed.clone();
                m[i] ^= x;
                session_body::run_session(&m);
            }
        }
    }
}
