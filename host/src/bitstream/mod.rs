//! The bitstream description: FU configuration and timing constants (bitstreams/rsn-xnn.toml), and
//! the fingerprint that ties a host build, a program and a device image together.

pub mod gen;

use crate::isa;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The description shipped with this host (compiled in, so the CLI works from any directory).
pub const DEFAULT_TOML: &str = include_str!("../../../bitstreams/rsn-xnn.toml");

#[derive(Debug, thiserror::Error)]
pub enum BitstreamError {
    #[error("cannot read bitstream description {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("bitstream description {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error(
        "bitstream description {path}: {what} is {found} but this host's ISA v{} has {expected}",
        isa::ISA_VERSION
    )]
    Mismatch { path: String, what: &'static str, found: u64, expected: u64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    pub name: String,
    pub fu: FuConfig,
    pub clock: Clock,
    pub decoder: DecoderTiming,
    pub ddr: DdrTiming,
    pub lpddr: LpddrTiming,
    pub mem: MemTiming,
    pub postop: PostopTiming,
    pub mesh: MeshTiming,
    pub engine: EngineTiming,
    pub fifo: FifoConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuConfig {
    pub mema: u32,
    pub memb: u32,
    pub memc: u32,
    pub engines: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub pl_mhz: f64,
    pub aie_mhz: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecoderTiming {
    pub fetch_words_per_cycle: f64,
    pub fetch_latency_cycles: u64,
    pub queue_mops: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DdrTiming {
    pub read_gbps: f64,
    pub write_gbps: f64,
    pub latency_cycles: u64,
    pub outstanding_bursts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LpddrTiming {
    pub read_gbps: f64,
    pub latency_cycles: u64,
    pub outstanding_bursts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemTiming {
    pub send_floats_per_cycle: f64,
    pub line_floats_per_cycle: f64,
    /// Floats of one MemC bank word (its lanes).
    pub memc_word_floats: u32,
}

/// MemC's post-op unit: its group size, function units and measured schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostopTiming {
    pub rows: u32,
    pub latency_cycles: u64,
    /// Exp and GELU function units in each MemC's post-op unit (they bound softmax and GELU).
    pub exp_units: u32,
    pub gelu_units: u32,
    pub exp_issue_cycles: u32,
    pub gelu_issue_cycles: u32,
    pub softmax_passes: u32,
    pub softmax_extra_cycles: u32,
    pub layernorm_passes: u32,
    pub layernorm_extra_cycles: u32,
    pub layernorm_pair_extra_cycles: u32,
    pub gelu_extra_cycles: u32,
}

impl PostopTiming {
    /// PL cycles the post-op unit takes per group of up to `rows` rows of `cols` columns, from
    /// taking the group to its last output beat: one column per cycle for each pass over the
    /// rows, the exp / GELU passes bounded by their function units, plus the fixed overheads of the
    /// unit's schedule; a split LayerNorm also waits for two exchanges of the group's row sums.
    fn group_cycles(&self, post: isa::PostOp, cols: usize, pair: bool) -> f64 {
        use isa::PostOp;
        let c = cols as f64;
        match post {
            PostOp::None => 0.0,
            PostOp::Softmax => {
                self.softmax_passes as f64 * c
                    + (c * self.exp_issue_cycles as f64 / self.exp_units as f64).ceil()
                    + self.softmax_extra_cycles as f64
            }
            PostOp::LayerNorm if pair => {
                self.layernorm_passes as f64 * c + 2.0 * self.rows as f64 + self.layernorm_pair_extra_cycles as f64
            }
            PostOp::LayerNorm => self.layernorm_passes as f64 * c + self.layernorm_extra_cycles as f64,
            PostOp::Gelu => {
                (c * self.gelu_issue_cycles as f64 / self.gelu_units as f64).ceil() + self.gelu_extra_cycles as f64
            }
        }
    }

    /// The post-op pass over `rows x cols` drained elements: whole groups of rows, one after
    /// another. It runs before the drain streams the rewritten rows out, so it is a latency (the
    /// model times it so, and the compiler's estimate counts it).
    pub fn pass_cycles(&self, post: isa::PostOp, rows: usize, cols: usize, pair: bool) -> f64 {
        rows.div_ceil(self.rows as usize) as f64 * self.group_cycles(post, cols, pair)
    }

    /// PL cycles from a drain's start to its first beat: the unit's latency and the whole pass, or
    /// nothing when the drain has no post-op.
    pub fn drain_latency(&self, post: isa::PostOp, rows: usize, cols: usize, pair: bool) -> f64 {
        if post == isa::PostOp::None {
            return 0.0;
        }
        self.latency_cycles as f64 + self.pass_cycles(post, rows, cols, pair)
    }
}

/// PL cycles a DRAM unit holds its memory's bus for `floats` floats: the slower of the memory
/// (`bytes_per_cycle`) and the unit's line port (`line_floats` per cycle), whatever the memory
/// could. The model times DRAM pieces with it and the compiler's estimate sums it.
pub fn dram_bus_cycles(floats: f64, bytes_per_cycle: f64, line_floats: f64) -> f64 {
    (floats * 4.0 / bytes_per_cycle).max(floats / line_floats)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeshTiming {
    pub floats_per_cycle: f64,
    pub latency_cycles: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineTiming {
    pub kernel_aie_cycles: u64,
    pub plio_bits: u64,
    pub in_streams: u64,
    pub out_streams: u64,
    pub latency_cycles: u64,
    pub in_buffer_blocks: u32,
    pub out_buffer_blocks: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FifoConfig {
    pub stream_floats: u64,
    pub pair_floats: u64,
}

/// A loaded description plus its fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub struct Bitstream {
    pub desc: Description,
    /// Where it came from ("builtin" or a path).
    pub source: String,
    /// sha256 over ISA version, FU configuration and the description text.
    pub fingerprint: String,
}

impl Bitstream {
    /// The description compiled into this host.
    pub fn builtin() -> Bitstream {
        Bitstream::parse(DEFAULT_TOML, "builtin").expect("the compiled-in description is valid (tested)")
    }

    /// Load a description file.
    pub fn from_path(path: &Path) -> Result<Bitstream, BitstreamError> {
        let text = crate::files::read_text_bounded(path, crate::files::limits::SMALL_TEXT, "a bitstream description")
            .map_err(|source| BitstreamError::Io { path: path.display().to_string(), source })?;
        Bitstream::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, source: &str) -> Result<Bitstream, BitstreamError> {
        let desc: Description =
            toml::from_str(text).map_err(|e| BitstreamError::Parse { path: source.into(), message: e.to_string() })?;
        let check = |what, found: u32, expected: u32| {
            if found == expected {
                Ok(())
            } else {
                Err(BitstreamError::Mismatch {
                    path: source.into(),
                    what,
                    found: found as u64,
                    expected: expected as u64,
                })
            }
        };
        check("fu.mema", desc.fu.mema, isa::Opcode::MemA.instances())?;
        check("fu.memb", desc.fu.memb, isa::Opcode::MemB.instances())?;
        check("fu.memc", desc.fu.memc, isa::Opcode::MemC.instances())?;
        check("fu.engines", desc.fu.engines, isa::ENGINES as u32)?;
        let positive = [
            ("clock.pl_mhz", desc.clock.pl_mhz),
            ("clock.aie_mhz", desc.clock.aie_mhz),
            ("decoder.fetch_words_per_cycle", desc.decoder.fetch_words_per_cycle),
            ("ddr.read_gbps", desc.ddr.read_gbps),
            ("ddr.write_gbps", desc.ddr.write_gbps),
            ("lpddr.read_gbps", desc.lpddr.read_gbps),
            ("mem.send_floats_per_cycle", desc.mem.send_floats_per_cycle),
            ("mem.line_floats_per_cycle", desc.mem.line_floats_per_cycle),
            ("mesh.floats_per_cycle", desc.mesh.floats_per_cycle),
        ];
        for (what, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(BitstreamError::Parse {
                    path: source.into(),
                    message: format!("{what} must be positive, got {v}"),
                });
            }
        }
        let p = &desc.postop;
        let at_least_one = [
            ("mem.memc_word_floats", desc.mem.memc_word_floats),
            ("postop.rows", p.rows),
            ("postop.exp_units", p.exp_units),
            ("postop.gelu_units", p.gelu_units),
            ("postop.exp_issue_cycles", p.exp_issue_cycles),
            ("postop.gelu_issue_cycles", p.gelu_issue_cycles),
            ("ddr.outstanding_bursts", desc.ddr.outstanding_bursts),
            ("lpddr.outstanding_bursts", desc.lpddr.outstanding_bursts),
            ("engine.in_buffer_blocks", desc.engine.in_buffer_blocks),
            ("engine.out_buffer_blocks", desc.engine.out_buffer_blocks),
        ];
        for (what, v) in at_least_one {
            if v == 0 {
                return Err(BitstreamError::Parse {
                    path: source.into(),
                    message: format!("{what} must be at least 1"),
                });
            }
        }
        if desc.fifo.stream_floats < crate::numerics::BLOCK_ELEMS as u64
            || desc.fifo.pair_floats < 2 * isa::MEMC_ROWS as u64
            || desc.decoder.queue_mops == 0
        {
            return Err(BitstreamError::Parse {
                path: source.into(),
                message:
                    "fifo.stream_floats must hold one engine block, fifo.pair_floats two exchanges of a tile's row \
                          sums, and decoder.queue_mops must be > 0"
                        .into(),
            });
        }
        let mut h = Sha256::new();
        h.update(format!("rsn-isa-v{}\n", isa::ISA_VERSION));
        h.update(format!("{:?}\n", desc.fu));
        h.update(text.as_bytes());
        let fingerprint = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Bitstream { desc, source: source.into(), fingerprint })
    }

    /// Bytes per PL cycle of a bandwidth of `gbps` (GB/s = 1e9 bytes/s): the one conversion every
    /// backend and the compiler's estimate use.
    pub fn bytes_per_cycle(&self, gbps: f64) -> f64 {
        gbps * 1e9 / (self.desc.clock.pl_mhz * 1e6)
    }

    /// PL cycles one engine needs per 128^3 block (compute-bound term).
    pub fn engine_block_cycles(&self) -> f64 {
        self.desc.engine.kernel_aie_cycles as f64 * self.desc.clock.pl_mhz / self.desc.clock.aie_mhz
    }

    /// PL cycles to move one 128x128 block over an engine's input or output PLIO streams.
    pub fn engine_io_cycles(&self, streams: u64) -> f64 {
        let floats_per_cycle = streams as f64 * self.desc.engine.plio_bits as f64 / 32.0;
        crate::numerics::BLOCK_ELEMS as f64 / floats_per_cycle
    }

    /// Milliseconds for `cycles` PL cycles.
    pub fn cycles_to_ms(&self, cycles: u64) -> f64 {
        cycles as f64 / (self.desc.clock.pl_mhz * 1e3)
    }

    /// Peak FLOP/s of the engines (2 FLOP per MAC, 8 MACs per tile per AIE cycle, 64 tiles per engine).
    pub fn peak_flops(&self) -> f64 {
        2.0 * 8.0 * 64.0 * self.desc.fu.engines as f64 * self.desc.clock.aie_mhz * 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_matches_spec() {
        let b = Bitstream::builtin();
        assert_eq!(b.fingerprint.len(), 64);
        assert!((b.peak_flops() - 7.68e12).abs() < 1e9, "384 tiles at 1.25 GHz = 7.68 TFLOPS");
        assert!((b.engine_block_cycles() - 905.2).abs() < 0.1);
        assert_eq!(b.engine_io_cycles(16), 512.0);
    }

    #[test]
    fn bad_descriptions_are_refused() {
        let e = Bitstream::parse(&DEFAULT_TOML.replace("memc = 6", "memc = 5"), "x.toml").unwrap_err();
        assert!(matches!(e, BitstreamError::Mismatch { what: "fu.memc", .. }), "{e}");
        let e = Bitstream::parse(&DEFAULT_TOML.replace("read_gbps = 21.0", "read_gbps = 0.0"), "x.toml").unwrap_err();
        assert!(e.to_string().contains("ddr.read_gbps"), "{e}");
        let e = Bitstream::parse("name = 1", "x.toml").unwrap_err();
        assert!(matches!(e, BitstreamError::Parse { .. }));
        let e = Bitstream::from_path(Path::new("/nonexistent/x.toml")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/x.toml"));
    }
}
