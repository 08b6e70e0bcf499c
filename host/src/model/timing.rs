//! The rates and latencies the model times with, all from the bitstream description.

use crate::bitstream::Bitstream;

/// Per-cycle rates (floats or bytes per PL cycle) and latencies (PL cycles).
pub(super) struct Rates {
    pub ddr_rd: f64,
    pub ddr_wr: f64,
    pub lpddr: f64,
    pub ddr_lat: f64,
    pub lpddr_lat: f64,
    pub line: f64,
    pub send: f64,
    pub mesh: f64,
    pub mesh_lat: f64,
    pub block: f64,
    pub eng_in: f64,
    pub eng_out: f64,
    pub eng_lat: f64,
    pub fetch: f64,
    pub fetch_lat: f64,
    pub queue: usize,
    /// Floats a MemC sweep writes per cycle (one bank word).
    pub memc_word: usize,
    pub post: PostTiming,
}

/// MemC's post-op unit schedule, as the description gives it.
pub(super) type PostTiming = crate::bitstream::PostopTiming;

impl Rates {
    pub fn new(bs: &Bitstream) -> Rates {
        let d = &bs.desc;
        let p = &d.postop;
        Rates {
            ddr_rd: bs.bytes_per_cycle(d.ddr.read_gbps),
            ddr_wr: bs.bytes_per_cycle(d.ddr.write_gbps),
            lpddr: bs.bytes_per_cycle(d.lpddr.read_gbps),
            ddr_lat: d.ddr.latency_cycles as f64,
            lpddr_lat: d.lpddr.latency_cycles as f64,
            line: d.mem.line_floats_per_cycle,
            send: d.mem.send_floats_per_cycle,
            mesh: d.mesh.floats_per_cycle,
            mesh_lat: d.mesh.latency_cycles as f64,
            block: bs.engine_block_cycles(),
            eng_in: bs.engine_io_cycles(d.engine.in_streams / 2),
            eng_out: bs.engine_io_cycles(d.engine.out_streams),
            eng_lat: d.engine.latency_cycles as f64,
            fetch: d.decoder.fetch_words_per_cycle,
            fetch_lat: d.decoder.fetch_latency_cycles as f64,
            queue: d.decoder.queue_mops as usize,
            memc_word: d.mem.memc_word_floats as usize,
            post: p.clone(),
        }
    }
}
