//! The rates and latencies the model times with, all from the bitstream description.

use crate::bitstream::Bitstream;
use crate::isa::PostOp;

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

/// MemC's post-op unit schedule ([`crate::bitstream::PostopTiming`]) in the model's units.
pub(super) struct PostTiming {
    pub rows: usize,
    pub latency: f64,
    exp_units: f64,
    gelu_units: f64,
    exp_issue: f64,
    gelu_issue: f64,
    softmax_passes: f64,
    softmax_extra: f64,
    ln_passes: f64,
    ln_extra: f64,
    ln_pair_extra: f64,
    gelu_extra: f64,
}

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
            post: PostTiming {
                rows: p.rows as usize,
                latency: p.latency_cycles as f64,
                exp_units: p.exp_units as f64,
                gelu_units: p.gelu_units as f64,
                exp_issue: p.exp_issue_cycles as f64,
                gelu_issue: p.gelu_issue_cycles as f64,
                softmax_passes: p.softmax_passes as f64,
                softmax_extra: p.softmax_extra_cycles as f64,
                ln_passes: p.layernorm_passes as f64,
                ln_extra: p.layernorm_extra_cycles as f64,
                ln_pair_extra: p.layernorm_pair_extra_cycles as f64,
                gelu_extra: p.gelu_extra_cycles as f64,
            },
        }
    }
}

impl PostTiming {
    /// PL cycles the post-op unit takes per group of up to `rows` rows of `cols` columns, from
    /// taking the group to its last output beat: one column per cycle for each pass over the
    /// rows, the exp / GELU passes bounded by their function units, plus the fixed overheads of the
    /// unit's schedule; a split LayerNorm also waits for two exchanges of the group's row sums.
    fn group_cycles(&self, post: PostOp, cols: usize, pair: bool) -> f64 {
        let c = cols as f64;
        match post {
            PostOp::None => 0.0,
            PostOp::Softmax => {
                self.softmax_passes * c + (c * self.exp_issue / self.exp_units).ceil() + self.softmax_extra
            }
            PostOp::LayerNorm if pair => self.ln_passes * c + 2.0 * self.rows as f64 + self.ln_pair_extra,
            PostOp::LayerNorm => self.ln_passes * c + self.ln_extra,
            PostOp::Gelu => (c * self.gelu_issue / self.gelu_units).ceil() + self.gelu_extra,
        }
    }

    /// The post-op pass over `rows x cols` drained elements: whole groups of rows, one after
    /// another. It runs before the drain streams the rewritten rows out, so it is a latency.
    pub fn pass_cycles(&self, post: PostOp, rows: usize, cols: usize, pair: bool) -> f64 {
        rows.div_ceil(self.rows) as f64 * self.group_cycles(post, cols, pair)
    }
}
