//! Throughput of the host-side AIE model: `cargo run -p rsn-aie --release --example engine_bench`.
//! Prints one JSON object (calls per second of engine_block, ns per multiply-accumulate).

use std::time::{Duration, Instant};

use rsn_aie::{engine_block, BLOCK, BLOCK_ELEMS};

fn main() -> Result<(), rsn_aie::Error> {
    let a: Vec<f32> = (0..BLOCK_ELEMS).map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.5).collect();
    let b: Vec<f32> = (0..BLOCK_ELEMS).map(|i| ((i * 104_729) % 997) as f32 * 1e-3 - 0.5).collect();
    let mut c = vec![0.0f32; BLOCK_ELEMS];
    engine_block(&a, &b, &mut c)?; // builds the per-thread context
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < Duration::from_secs(3) {
        engine_block(&a, &b, &mut c)?;
        calls += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let macs = (BLOCK * BLOCK * BLOCK) as f64 * calls as f64;
    println!(
        "{{\"calls\": {calls}, \"seconds\": {secs:.3}, \"calls_per_s\": {:.1}, \"ns_per_mac\": {:.4}, \"checksum\": {}}}",
        calls as f64 / secs,
        secs * 1e9 / macs,
        c.iter().map(|x| f64::from(*x)).sum::<f64>()
    );
    Ok(())
}
